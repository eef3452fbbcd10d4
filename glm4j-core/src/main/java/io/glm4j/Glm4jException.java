package io.glm4j;

/**
 * Bad input that glm4j refuses: a model file it cannot use, or a request it cannot serve.
 * The message is meant for the user as it is: one line naming the problem (and the file or
 * tensor where that helps). Edges (CLI, server) print or map it; they never show a stack trace.
 */
public class Glm4jException extends RuntimeException {
    public Glm4jException(String message) {
        super(message);
    }

    public Glm4jException(String message, Throwable cause) {
        super(message, cause);
    }
}
