package io.glm4j.chat;

import static io.glm4j.chat.Glm45Markup.THINK_CLOSE;
import static io.glm4j.chat.Glm45Markup.THINK_OPEN;
import static io.glm4j.chat.Glm45Markup.TOOL_CALL_CLOSE;
import static io.glm4j.chat.Glm45Markup.TOOL_CALL_OPEN;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits GLM-4.5's streamed output into reasoning, answer text and tool calls, one decoded piece
 * at a time. A tag may arrive split across pieces; text that could still be the start of a tag is
 * held back until the next piece decides it. The model writes
 * <pre>\n&lt;think&gt;REASONING&lt;/think&gt;\nANSWER\n&lt;tool_call&gt;NAME\n&lt;arg_key&gt;K&lt;/arg_key&gt;\n&lt;arg_value&gt;V&lt;/arg_value&gt;\n&lt;/tool_call&gt;</pre>
 * and this parser reads it as:
 * <ul>
 *   <li>{@code <think>} opens reasoning only as the first thing the model writes (unless the prompt
 *       already opened or closed the think block, see {@link ThinkingStart}); reasoning runs to
 *       {@code </think>}, tags inside it included.</li>
 *   <li>After reasoning, each {@code <tool_call>…</tool_call>} block becomes a tool call
 *       ({@link ToolCallMarkup}, values typed by the request's tool schemas); everything else is
 *       answer text.</li>
 *   <li>Reasoning and answer are each stripped of outer whitespace (the newlines around the tags),
 *       as llama.cpp does and as the template strips them when the reply is sent back.</li>
 *   <li>Malformed or unterminated markup is kept as answer text, tags included. Nothing throws.</li>
 * </ul>
 * Not thread-safe: one parser per generated sequence.
 */
public final class Glm45OutputParser {
    private enum State { AWAITING_THINK, REASONING, CONTENT, TOOL_CALL }

    private final ToolCallMarkup toolCalls;
    private final boolean parseToolCalls;
    private final StringBuilder pending = new StringBuilder();
    private final TrimmedText reasoning = new TrimmedText();
    private final TrimmedText content = new TrimmedText();
    private State state;
    /** In a tool call: where in {@code pending} a {@code </tool_call>} could still begin. */
    private int unscannedFrom;

    /**
     * @param start how the prompt left the think block
     * @param tools the request's tool definitions (may be null), for typing argument values
     */
    public Glm45OutputParser(ThinkingStart start, List<JsonNode> tools) {
        this(start, tools, true);
    }

    /**
     * @param parseToolCalls false to keep tool-call markup as answer text (OpenAI's
     *                       {@code tool_choice: "none"})
     */
    public Glm45OutputParser(ThinkingStart start, List<JsonNode> tools, boolean parseToolCalls) {
        this.toolCalls = new ToolCallMarkup(new ArgumentTypes(tools));
        this.parseToolCalls = parseToolCalls;
        this.state = switch (start) {
            case AWAITING -> State.AWAITING_THINK;
            case OPEN -> State.REASONING;
            case CLOSED -> State.CONTENT;
        };
    }

    /** A parser for the reply to {@code prompt}, rendered from {@code request}. */
    public static Glm45OutputParser forPrompt(String prompt, ChatRequest request) {
        return new Glm45OutputParser(ThinkingStart.fromPrompt(prompt), request.tools());
    }

    /** Parses a whole reply at once. */
    public ParsedOutput parseAll(String text) {
        List<OutputEvent> events = new ArrayList<>(feed(text));
        events.addAll(finish());
        return ParsedOutput.of(events);
    }

    /** Takes the next piece of decoded text; returns what it completes. */
    public List<OutputEvent> feed(String piece) {
        pending.append(piece);
        List<OutputEvent> events = new ArrayList<>();
        advance(events, false);
        return events;
    }

    /** Ends the stream: whatever is still held back is reported, as text where it is not markup. */
    public List<OutputEvent> finish() {
        List<OutputEvent> events = new ArrayList<>();
        advance(events, true);
        switch (state) {
            case REASONING -> emitReasoning(pending, events);
            case TOOL_CALL -> emitContent(TOOL_CALL_OPEN + pending, events);
            default -> emitContent(pending, events);
        }
        pending.setLength(0);
        return events;
    }

    private void advance(List<OutputEvent> events, boolean atEnd) {
        while (true) {
            switch (state) {
                case AWAITING_THINK -> {
                    dropLeadingWhitespace();
                    if (startsWith(THINK_OPEN)) {
                        pending.delete(0, THINK_OPEN.length());
                        state = State.REASONING;
                    } else if (pending.isEmpty() || (!atEnd && THINK_OPEN.startsWith(pending.toString()))) {
                        return;
                    } else {
                        state = State.CONTENT;
                    }
                }
                case REASONING -> {
                    int close = pending.indexOf(THINK_CLOSE);
                    if (close < 0) {
                        emitReasoning(takeUpTo(partialTagStart(THINK_CLOSE)), events);
                        return;
                    }
                    emitReasoning(takeUpTo(close), events);
                    pending.delete(0, THINK_CLOSE.length());
                    state = State.CONTENT;
                }
                case CONTENT -> {
                    if (!parseToolCalls) {
                        emitContent(takeUpTo(pending.length()), events);
                        return;
                    }
                    int open = pending.indexOf(TOOL_CALL_OPEN);
                    if (open < 0) {
                        emitContent(takeUpTo(partialTagStart(TOOL_CALL_OPEN)), events);
                        return;
                    }
                    emitContent(takeUpTo(open), events);
                    pending.delete(0, TOOL_CALL_OPEN.length());
                    unscannedFrom = 0;
                    state = State.TOOL_CALL;
                }
                case TOOL_CALL -> {
                    // A long call arrives token by token; scan each new stretch only once.
                    int close = pending.indexOf(TOOL_CALL_CLOSE, unscannedFrom);
                    if (close < 0) {
                        unscannedFrom = Math.max(0, pending.length() - TOOL_CALL_CLOSE.length() + 1);
                        return;
                    }
                    String body = takeUpTo(close);
                    pending.delete(0, TOOL_CALL_CLOSE.length());
                    toolCalls.parse(body).ifPresentOrElse(
                            call -> events.add(new OutputEvent.ToolCallComplete(call)),
                            () -> emitContent(TOOL_CALL_OPEN + body + TOOL_CALL_CLOSE, events));
                    state = State.CONTENT;
                }
            }
        }
    }

    private void dropLeadingWhitespace() {
        int i = 0;
        while (i < pending.length() && PythonStrings.isSpace(pending.codePointAt(i))) {
            i += Character.charCount(pending.codePointAt(i));
        }
        pending.delete(0, i);
    }

    private boolean startsWith(String tag) {
        return pending.length() >= tag.length() && pending.substring(0, tag.length()).equals(tag);
    }

    /** Where a suffix of the pending text that could grow into {@code tag} begins (its length if none). */
    private int partialTagStart(String tag) {
        int from = Math.max(0, pending.length() - tag.length() + 1);
        String tail = pending.substring(from);
        for (int at = 0; at < tail.length(); at++) {
            if (tag.startsWith(tail.substring(at))) {
                return from + at;
            }
        }
        return pending.length();
    }

    private String takeUpTo(int end) {
        String taken = pending.substring(0, end);
        pending.delete(0, end);
        return taken;
    }

    private void emitReasoning(CharSequence text, List<OutputEvent> events) {
        String visible = reasoning.accept(text);
        if (!visible.isEmpty()) {
            events.add(new OutputEvent.ReasoningDelta(visible));
        }
    }

    private void emitContent(CharSequence text, List<OutputEvent> events) {
        String visible = content.accept(text);
        if (!visible.isEmpty()) {
            events.add(new OutputEvent.ContentDelta(visible));
        }
    }
}
