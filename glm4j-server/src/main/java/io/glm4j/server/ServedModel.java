package io.glm4j.server;

import io.glm4j.chat.ChatTemplate;
import io.glm4j.generate.LoadedModel;
import io.glm4j.model.Glm4MoeConfig;
import io.glm4j.tokenizer.Tokenizer;
import java.time.Instant;

/**
 * The model as the API presents it.
 *
 * @param id          the name clients pass as {@code model}: the GGUF file name without {@code .gguf} (or the checkpoint directory's name),
 *                    unless renamed with {@link #withId}
 * @param contextSize tokens one request may use (prompt + output)
 * @param created     when the server loaded it, in epoch seconds
 * @param config      the network's shape, for memory estimates
 * @param weightsBytes the size of the weights as stored in the file
 */
public record ServedModel(String id, Tokenizer tokenizer, ChatTemplate template, int contextSize, long created,
                          Glm4MoeConfig config, long weightsBytes) {

    public static ServedModel of(LoadedModel model, int contextSize) {
        String file = model.path().getFileName().toString();
        String id = file.endsWith(".gguf") ? file.substring(0, file.length() - ".gguf".length()) : file;
        return new ServedModel(id, model.tokenizer(), model.template(), contextSize, Instant.now().getEpochSecond(),
                model.model().config(), model.weightsBytes());
    }

    /** The same model under another name (the CLI's {@code --alias}). */
    public ServedModel withId(String newId) {
        if (newId == null || newId.isBlank()) throw new io.glm4j.Glm4jException("the model name must not be empty");
        return new ServedModel(newId, tokenizer, template, contextSize, created, config, weightsBytes);
    }
}
