package io.glm4j.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * A function call: its name and its arguments. In a request, {@code arguments} is what the client
 * sent (a JSON object, or the OpenAI wire form: a string holding JSON); from the output parser it
 * is always an object whose keys keep the order the model wrote them in.
 */
public record FunctionCall(String name, JsonNode arguments) {
    public FunctionCall {
        arguments = arguments == null ? JsonNodeFactory.instance.objectNode() : arguments;
    }

    /** The arguments as the OpenAI wire format carries them: one JSON text. */
    public String argumentsJson() {
        return arguments.isTextual() ? arguments.asText() : arguments.toString();
    }
}
