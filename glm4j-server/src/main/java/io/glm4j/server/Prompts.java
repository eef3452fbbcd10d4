package io.glm4j.server;

import io.glm4j.Glm4jException;
import io.glm4j.chat.ChatRequest;

/** Turning a request into prompt tokens that fit the context. */
final class Prompts {
    private Prompts() {}

    static String render(ServedModel model, ChatRequest chat) {
        try {
            return model.template().render(chat);
        } catch (Glm4jException e) {
            throw ApiException.invalid("messages", "the chat template cannot render these messages: " + e.getMessage());
        }
    }

    /** The text's tokens (special tokens such as {@code <|user|>} recognised), refused if they leave no room to generate. */
    static int[] tokenize(ServedModel model, String text, String param) {
        return fitting(model, model.tokenizer().encode(text, true), param);
    }

    static int[] fitting(ServedModel model, int[] ids, String param) {
        if (ids.length == 0) throw ApiException.invalid(param, "the prompt is empty");
        if (ids.length >= model.contextSize()) {
            throw new ApiException(400, "invalid_request_error", param, "context_length_exceeded",
                    "the prompt has " + ids.length + " tokens, but the context holds " + model.contextSize()
                            + " tokens in all and needs room for at least one generated token");
        }
        return ids;
    }
}
