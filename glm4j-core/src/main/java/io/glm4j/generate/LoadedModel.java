package io.glm4j.generate;

import io.glm4j.chat.ChatTemplate;
import io.glm4j.gguf.GgufFile;
import io.glm4j.hf.HfCheckpoint;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.Glm4MoeWeights;
import io.glm4j.repack.Repack;
import io.glm4j.repack.RowGroupFile;
import io.glm4j.tensor.WorkerPool;
import io.glm4j.tokenizer.Tokenizer;
import io.glm4j.tensor.FileMapping;
import io.glm4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Everything a model provides for generation: the network, its tokenizer, its chat template and the
 * ids that end a turn. A model is a GGUF file or a Hugging Face checkpoint directory (BF16 or FP8
 * safetensors); both are memory-mapped, and closing this unmaps them.
 */
public final class LoadedModel implements AutoCloseable {
    /**
     * The mapped files: how to close them, their size, their tensors' size, and the parts worth
     * reading into memory up front.
     */
    private record Mapping(Runnable close, LongSupplier bytes, LongSupplier weightBytes, Supplier<List<MemorySegment>> used) {}

    private final Path path;
    private final Mapping files;
    private final Glm4MoeModel model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final Set<Integer> endOfGeneration;

    private LoadedModel(Path path, Mapping files, Glm4MoeModel model, Tokenizer tokenizer, ChatTemplate template,
            Set<Integer> endOfGeneration) {
        this.path = path;
        this.files = files;
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.endOfGeneration = endOfGeneration;
    }

    /** Opens a {@code .gguf} file, or a checkpoint directory (one with a {@code config.json}). */
    public static LoadedModel open(Path path, WorkerPool pool) {
        return open(path, pool, null);
    }

    /**
     * As {@link #open(Path, WorkerPool)}; with {@code repack} (null for none), a GGUF model's
     * matrices are also repacked into row groups for faster decoding ({@link RowGroupFile}), kept
     * in its directory and reused on the next start.
     */
    public static LoadedModel open(Path path, WorkerPool pool, Repack repack) {
        if (Files.isDirectory(path)) {
            if (repack != null) repack.log().accept("repacking applies to GGUF files; " + path.getFileName() + " is a checkpoint directory and is used as stored");
            return openCheckpoint(path, pool);
        }
        return openGguf(path, pool, repack);
    }

    private static LoadedModel openGguf(Path path, WorkerPool pool, Repack repack) {
        GgufFile file = GgufFile.open(path);
        RowGroupFile groups = null;
        try {
            groups = repack != null ? RowGroupFile.open(file, repack) : null;
            Glm4MoeModel model = Glm4MoeModel.load(file, groups != null ? groups::attach : t -> t, pool);
            Tokenizer tokenizer = Tokenizer.fromGgufMetadata(file.metadata());
            ChatTemplate template = new ChatTemplate(file.meta().string("tokenizer.chat_template", null));
            return new LoadedModel(path, mapping(file, groups), model, tokenizer, template, tokenizer.specialTokens().endOfGeneration());
        } catch (RuntimeException e) {
            if (groups != null) groups.close();
            file.close();
            throw e;
        }
    }

    /**
     * The model file and, if any, its row-group file, closed and counted together. With groups, a
     * repacked tensor's stored rows are never read, so only the other tensors and the groups are
     * worth preloading: the memory a repacked model needs is about that of the model alone.
     */
    private static Mapping mapping(GgufFile file, RowGroupFile groups) {
        LongSupplier weights = () -> file.tensors().values().stream().mapToLong(t -> t.data().byteSize()).sum();
        if (groups == null) return new Mapping(file::close, file::fileSize, weights, () -> List.of(file.mapping()));
        return new Mapping(() -> {
            groups.close();
            file.close();
        }, () -> file.fileSize() + groups.byteSize(), weights, () -> {
            List<MemorySegment> used = new ArrayList<>();
            for (Tensor t : file.tensors().values()) {
                if (groups.attach(t).groups() == null) used.add(t.data());
            }
            used.add(groups.mapping());
            return used;
        });
    }

    private static LoadedModel openCheckpoint(Path directory, WorkerPool pool) {
        HfCheckpoint checkpoint = HfCheckpoint.open(directory);
        try {
            Glm4MoeModel model = new Glm4MoeModel(checkpoint.modelConfig(),
                    Glm4MoeWeights.load(checkpoint.weights(), checkpoint.modelConfig()), pool);
            Tokenizer tokenizer = checkpoint.tokenizer();
            ChatTemplate template = new ChatTemplate(checkpoint.chatTemplate());
            Mapping files = new Mapping(checkpoint::close, checkpoint.shards()::byteSize, checkpoint.shards()::tensorBytes,
                    checkpoint.shards()::mappings);
            return new LoadedModel(directory, files, model, tokenizer, template, checkpoint.endOfGeneration(tokenizer));
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Bytes of the model's files (the GGUF file, or every safetensors shard). */
    public long fileSize() {
        return files.bytes().getAsLong();
    }

    /** Bytes of the weights as stored (every tensor, FP8 scales included). */
    public long weightsBytes() {
        return files.weightBytes().getAsLong();
    }

    /** Bytes {@link #preload} reads: the files, less the stored rows of repacked tensors. */
    public long preloadBytes() {
        return files.used().get().stream().mapToLong(MemorySegment::byteSize).sum();
    }

    /**
     * Reads the parts of the model's files that computing reads into the page cache now, reporting
     * bytes done (up to {@link #preloadBytes}), so the first tokens do not wait on the disk (what a
     * progress bar for opening a large model shows).
     */
    public void preload(LongConsumer progress) {
        FileMapping.preload(files.used().get(), progress);
    }

    public Glm4MoeModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatTemplate template() {
        return template;
    }

    public Set<Integer> endOfGeneration() {
        return endOfGeneration;
    }

    @Override
    public void close() {
        files.close().run();
    }
}
