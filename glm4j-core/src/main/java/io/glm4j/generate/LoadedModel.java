package io.glm4j.generate;

import io.glm4j.chat.ChatTemplate;
import io.glm4j.gguf.GgufFile;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.tensor.WorkerPool;
import io.glm4j.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Set;

/**
 * Everything a model file provides for generation: the network, its tokenizer, its chat
 * template and the ids that end a turn. Closing it unmaps the file.
 */
public final class LoadedModel implements AutoCloseable {
    private final GgufFile file;
    private final Glm4MoeModel model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final Set<Integer> endOfGeneration;

    private LoadedModel(GgufFile file, Glm4MoeModel model, Tokenizer tokenizer, ChatTemplate template) {
        this.file = file;
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.endOfGeneration = tokenizer.specialTokens().endOfGeneration();
    }

    public static LoadedModel open(Path path, WorkerPool pool) {
        GgufFile file = GgufFile.open(path);
        try {
            Glm4MoeModel model = Glm4MoeModel.load(file, pool);
            Tokenizer tokenizer = Tokenizer.fromGgufMetadata(file.metadata());
            ChatTemplate template = new ChatTemplate(file.meta().string("tokenizer.chat_template", null));
            return new LoadedModel(file, model, tokenizer, template);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    public Path path() {
        return file.path();
    }

    /** The model file: its size, and {@link GgufFile#preload} to read it into memory up front. */
    public GgufFile file() {
        return file;
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
        file.close();
    }
}
