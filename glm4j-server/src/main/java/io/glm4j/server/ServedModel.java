package io.glm4j.server;

import io.glm4j.chat.ChatTemplate;
import io.glm4j.generate.LoadedModel;
import io.glm4j.tokenizer.Tokenizer;
import java.time.Instant;

/**
 * The model as the API presents it.
 *
 * @param id          the name clients pass as {@code model}: the GGUF file name without {@code .gguf}
 * @param contextSize tokens one request may use (prompt + output)
 * @param created     when the server loaded it, in epoch seconds
 */
public record ServedModel(String id, Tokenizer tokenizer, ChatTemplate template, int contextSize, long created) {

    public static ServedModel of(LoadedModel model, int contextSize) {
        String file = model.path().getFileName().toString();
        String id = file.endsWith(".gguf") ? file.substring(0, file.length() - ".gguf".length()) : file;
        return new ServedModel(id, model.tokenizer(), model.template(), contextSize, Instant.now().getEpochSecond());
    }
}
