package io.glm4j.chat;

/** The tags GLM-4.5 writes around reasoning and tool calls (each one token in its vocabulary). */
final class Glm45Markup {
    static final String THINK_OPEN = "<think>";
    static final String THINK_CLOSE = "</think>";
    static final String TOOL_CALL_OPEN = "<tool_call>";
    static final String TOOL_CALL_CLOSE = "</tool_call>";
    static final String ARG_KEY_OPEN = "<arg_key>";
    static final String ARG_KEY_CLOSE = "</arg_key>";
    static final String ARG_VALUE_OPEN = "<arg_value>";
    static final String ARG_VALUE_CLOSE = "</arg_value>";

    private Glm45Markup() {}
}
