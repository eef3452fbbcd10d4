package io.glm4j.hf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** A fixture checkpoint re-created in a temporary directory as links to its files, one or more of them replaced. */
final class CheckpointCopy {
    private final Path dir;

    private CheckpointCopy(Path dir) {
        this.dir = dir;
    }

    static CheckpointCopy of(String variant, Path tmp) {
        Path source = HfCheckpointGoldenTest.HF.resolve("tiny-glm45air-" + variant);
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) Files.createSymbolicLink(tmp.resolve(f.getFileName()), f.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CheckpointCopy(tmp);
    }

    /** Deletes the links under {@code tmp}, which JUnit's clean-up would otherwise warn about. */
    static void unlink(Path tmp) {
        try (Stream<Path> all = Files.walk(tmp)) {
            for (Path p : all.filter(Files::isSymbolicLink).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dir() {
        return dir;
    }

    CheckpointCopy delete(String file) {
        try {
            Files.delete(dir.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Replaces a text file (config.json, the index) with an edited copy. */
    CheckpointCopy editText(String file, UnaryOperator<String> edit) {
        try {
            String text = Files.readString(dir.resolve(file));
            Files.delete(dir.resolve(file));
            Files.writeString(dir.resolve(file), edit.apply(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Replaces a shard with a copy whose JSON header is edited (offsets count from the data, which is kept as it is). */
    CheckpointCopy editHeader(String shard, UnaryOperator<String> edit) {
        try {
            byte[] bytes = Files.readAllBytes(dir.resolve(shard));
            int length = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            byte[] header = edit.apply(new String(bytes, 8, length, StandardCharsets.UTF_8).strip()).getBytes(StandardCharsets.UTF_8);
            int padded = (header.length + 7) / 8 * 8;
            ByteBuffer out = ByteBuffer.allocate(8 + padded + bytes.length - 8 - length).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(padded).put(header);
            for (int i = header.length; i < padded; i++) out.put((byte) ' ');
            out.put(bytes, 8 + length, bytes.length - 8 - length);
            Files.delete(dir.resolve(shard));
            Files.write(dir.resolve(shard), out.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
