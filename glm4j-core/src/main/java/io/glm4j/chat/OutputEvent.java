package io.glm4j.chat;

/** What the output parser reports as a model's text streams in. */
public sealed interface OutputEvent {

    /** More reasoning text (inside {@code <think>…</think>}). */
    record ReasoningDelta(String text) implements OutputEvent {}

    /** More answer text. */
    record ContentDelta(String text) implements OutputEvent {}

    /** A tool call, reported once its {@code </tool_call>} has arrived. */
    record ToolCallComplete(FunctionCall call) implements OutputEvent {}
}
