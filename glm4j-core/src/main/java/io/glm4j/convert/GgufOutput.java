package io.glm4j.convert;

import io.glm4j.Glm4jException;
import io.glm4j.gguf.GgufWriter;
import io.glm4j.model.FileType;
import io.glm4j.model.Glm4MoeConfig;
import io.glm4j.model.Glm4MoeTensors;
import io.glm4j.model.QuantMix;
import io.glm4j.model.TensorSpec;
import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.Quantizer;
import io.glm4j.tensor.WorkerPool;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

/**
 * A GGUF file to be written from stored tensors: metadata, then each output tensor with its storage
 * type and the rows it is made of. Writing streams a few MB of rows at a time — read as float32,
 * encoded by the type's {@link Quantizer} in parallel, written — so a 200 GB model needs no memory of
 * its size; a tensor that keeps its type is copied as it is. The file appears only when complete.
 */
public final class GgufOutput {
    /** About this many values are encoded at a time. */
    private static final int CHUNK_VALUES = 1 << 22;

    private final GgufWriter writer = new GgufWriter();
    private final List<TensorSpec> specs = new ArrayList<>();
    private final List<TensorRows> sources = new ArrayList<>();

    /** The metadata, to be filled in before {@link #write}. */
    GgufWriter metadata() {
        return writer;
    }

    void add(TensorSpec target, TensorRows source) {
        if (source.rows() * source.cols() != target.elementCount() || source.cols() != target.cols()) {
            throw new IllegalArgumentException(target + " cannot be made of " + source.rows() + " rows of " + source.cols());
        }
        specs.add(target);
        sources.add(source);
    }

    /** The output tensors, with their types. */
    public List<TensorSpec> tensors() {
        return List.copyOf(specs);
    }

    /** Bytes of tensor data (what {@code progress} counts up to). */
    public long dataBytes() {
        return specs.stream().mapToLong(TensorSpec::bytes).sum();
    }

    /**
     * Fails if a tensor needs a storage type glm4j has no quantizer for, naming the tensor and the file
     * types glm4j can write for this model ({@code verb} names the conversion in the message).
     */
    void requireWritable(String verb, FileType type, Glm4MoeConfig config) {
        for (int i = 0; i < specs.size(); i++) {
            TensorSpec t = specs.get(i);
            if (!sources.get(i).storedAs(t.type()) && !writable(t.type())) {
                throw new Glm4jException(verb + " " + type + " needs " + t.type() + " for " + t.name()
                        + ", which glm4j cannot write; it writes " + writableFileTypes(config).stream().map(Enum::name)
                        .collect(Collectors.joining(", ")));
            }
        }
    }

    /** The file types whose whole tensor mix glm4j can encode, for a model of this shape. */
    public static List<FileType> writableFileTypes(Glm4MoeConfig config) {
        List<TensorSpec> tensors = Glm4MoeTensors.of(config, false);
        return Arrays.stream(FileType.values())
                .filter(f -> QuantMix.of(f, config).apply(tensors).stream().allMatch(t -> writable(t.type())))
                .toList();
    }

    private static boolean writable(GgmlType type) {
        try {
            Quantizer.of(type);
            return true;
        } catch (Glm4jException e) {
            return false;
        }
    }

    /**
     * Writes the file through a temporary {@code <name>.part} beside it, renamed at the end, so a failed
     * or interrupted run leaves no output file; reports tensor bytes written so far to {@code progress}.
     */
    public void write(Path path, WorkerPool pool, LongConsumer progress) {
        AtomicLong written = new AtomicLong();
        LongConsumer wrote = bytes -> progress.accept(written.addAndGet(bytes));
        for (int i = 0; i < specs.size(); i++) {
            TensorSpec t = specs.get(i);
            TensorRows rows = sources.get(i);
            writer.tensor(t.name(), t.type(), t.ne(), out -> encode(t, rows, out, pool, wrote));
        }
        Path tmp = path.resolveSibling(path.getFileName() + ".part");
        try {
            tmp.toFile().deleteOnExit();
            writer.write(tmp);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write or the rename failed already; that error is the one to report
            }
        }
    }

    private static void encode(TensorSpec t, TensorRows rows, OutputStream out, WorkerPool pool, LongConsumer wrote) throws IOException {
        if (rows.storedAs(t.type())) {
            rows.copyTo(out);
            wrote.accept(t.bytes());
            return;
        }
        Quantizer quantizer = Quantizer.of(t.type());
        int cols = rows.cols();
        int rowBytes = Math.toIntExact(t.type().bytesFor(cols));
        int chunkRows = (int) Math.min(rows.rows(), Math.max(1, CHUNK_VALUES / cols));
        float[] values = new float[chunkRows * cols];
        byte[] bytes = new byte[chunkRows * rowBytes];
        for (long first = 0; first < rows.rows(); first += chunkRows) {
            int n = (int) Math.min(chunkRows, rows.rows() - first);
            long start = first;
            pool.forRange(n, 1, (from, to) -> {
                rows.read(start + from, to - from, values, from * cols);
                for (int r = from; r < to; r++) quantizer.quantize(values, r * cols, cols, bytes, r * rowBytes);
            });
            out.write(bytes, 0, n * rowBytes);
            wrote.accept((long) n * rowBytes);
        }
    }
}
