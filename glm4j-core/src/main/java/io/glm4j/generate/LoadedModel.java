package io.glm4j.generate;

import io.glm4j.chat.ChatTemplate;
import io.glm4j.gguf.GgufFile;
import io.glm4j.hf.HfCheckpoint;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.Glm4MoeWeights;
import io.glm4j.tensor.WorkerPool;
import io.glm4j.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Everything a model provides for generation: the network, its tokenizer, its chat template and the
 * ids that end a turn. A model is a GGUF file or a Hugging Face checkpoint directory (BF16 or FP8
 * safetensors); both are memory-mapped, and closing this unmaps them.
 */
public final class LoadedModel implements AutoCloseable {
    private final Path path;
    private final Runnable unmap;
    private final Glm4MoeModel model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final Set<Integer> endOfGeneration;

    private LoadedModel(Path path, Runnable unmap, Glm4MoeModel model, Tokenizer tokenizer, ChatTemplate template,
            Set<Integer> endOfGeneration) {
        this.path = path;
        this.unmap = unmap;
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.endOfGeneration = endOfGeneration;
    }

    /** Opens a {@code .gguf} file, or a checkpoint directory (one with a {@code config.json}). */
    public static LoadedModel open(Path path, WorkerPool pool) {
        return Files.isDirectory(path) ? openCheckpoint(path, pool) : openGguf(path, pool);
    }

    private static LoadedModel openGguf(Path path, WorkerPool pool) {
        GgufFile file = GgufFile.open(path);
        try {
            Glm4MoeModel model = Glm4MoeModel.load(file, pool);
            Tokenizer tokenizer = Tokenizer.fromGgufMetadata(file.metadata());
            ChatTemplate template = new ChatTemplate(file.meta().string("tokenizer.chat_template", null));
            return new LoadedModel(path, file::close, model, tokenizer, template, tokenizer.specialTokens().endOfGeneration());
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static LoadedModel openCheckpoint(Path directory, WorkerPool pool) {
        HfCheckpoint checkpoint = HfCheckpoint.open(directory);
        try {
            Glm4MoeModel model = new Glm4MoeModel(checkpoint.modelConfig(),
                    Glm4MoeWeights.load(checkpoint.weights(), checkpoint.modelConfig()), pool);
            Tokenizer tokenizer = checkpoint.tokenizer();
            ChatTemplate template = new ChatTemplate(checkpoint.chatTemplate());
            return new LoadedModel(directory, checkpoint::close, model, tokenizer, template, checkpoint.endOfGeneration(tokenizer));
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    public Path path() {
        return path;
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
        unmap.run();
    }
}
