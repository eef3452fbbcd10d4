package io.glm4j.generate;

/** Why generation ended. */
public enum FinishReason {
    /** An end-of-generation token or a stop string. */
    STOP,
    /** The token limit. */
    LENGTH,
    /** The context window is full. */
    CONTEXT_FULL,
    /** The caller cancelled (Ctrl-C, a disconnected client). */
    CANCELLED
}
