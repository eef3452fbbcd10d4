package io.glm4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.glm4j.chat.FunctionCall;
import io.glm4j.chat.Glm45OutputParser;
import io.glm4j.chat.OutputEvent;
import io.glm4j.chat.ThinkingStart;
import io.glm4j.generate.TokenLogprob;
import io.glm4j.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * One assistant reply as it streams: generated text goes through GLM-4.5's output parser and
 * comes out as chat deltas ({@code reasoning_content}, {@code content}, {@code tool_calls}),
 * while the whole message, the token logprobs and the count of reasoning tokens add up.
 */
final class ChatReply {
    private final Glm45OutputParser parser;
    private final ThinkingStart start;
    private final Tokenizer tokenizer;
    private final TokenLogprobs logprobs;
    private final StringBuilder reasoning = new StringBuilder();
    private final StringBuilder content = new StringBuilder();
    private final ArrayNode toolCalls = OpenAiJson.array();
    private final List<Integer> tokens = new ArrayList<>();
    private ArrayNode pendingLogprobs = OpenAiJson.array();
    private final ArrayNode allLogprobs = OpenAiJson.array();

    /** @param logprobs null unless the request asked for logprobs */
    ChatReply(String prompt, ChatCompletionRequest request, Tokenizer tokenizer, TokenLogprobs logprobs) {
        this.start = ThinkingStart.fromPrompt(prompt);
        this.parser = new Glm45OutputParser(start, request.chat().tools(), request.toolCalls());
        this.tokenizer = tokenizer;
        this.logprobs = logprobs;
    }

    void onToken(int id, TokenLogprob lp) {
        tokens.add(id);
        if (logprobs != null && lp != null) {
            ObjectNode entry = logprobs.entry(lp);
            pendingLogprobs.add(entry);
            allLogprobs.add(entry);
        }
    }

    /** The deltas a piece of generated text completes (possibly none while a tag is undecided). */
    List<ObjectNode> onText(String text) {
        return deltas(parser.feed(text));
    }

    /** The deltas held back until the end. */
    List<ObjectNode> finish() {
        return deltas(parser.finish());
    }

    /** The logprobs of the tokens since the last call, for the next chunk. */
    ArrayNode takeLogprobs() {
        ArrayNode taken = pendingLogprobs;
        pendingLogprobs = OpenAiJson.array();
        return taken;
    }

    boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    /** The whole reply as an assistant message of a non-streamed response. */
    ObjectNode message() {
        ObjectNode m = OpenAiJson.object();
        m.put("role", "assistant");
        if (content.isEmpty() && hasToolCalls()) m.putNull("content");
        else m.put("content", content.toString());
        if (!reasoning.isEmpty()) m.put("reasoning_content", reasoning.toString());
        if (hasToolCalls()) m.set("tool_calls", toolCalls.deepCopy());
        return m;
    }

    ArrayNode allLogprobs() {
        return allLogprobs;
    }

    /**
     * Generated tokens that belong to the reasoning: from the start of the think block (the prompt's,
     * or a {@code <think>} the model wrote) through its {@code </think>}.
     */
    int reasoningTokens() {
        OptionalInt open = tokenizer.tokenId("<think>");
        OptionalInt close = tokenizer.tokenId("</think>");
        if (open.isEmpty() || close.isEmpty() || start == ThinkingStart.CLOSED) return 0;
        int from = start == ThinkingStart.OPEN ? 0 : tokens.indexOf(open.getAsInt());
        if (from < 0) return 0;
        int end = tokens.subList(from, tokens.size()).indexOf(close.getAsInt());
        return end < 0 ? tokens.size() : from + end + 1;
    }

    private List<ObjectNode> deltas(List<OutputEvent> events) {
        List<ObjectNode> out = new ArrayList<>();
        for (OutputEvent event : events) {
            ObjectNode delta = OpenAiJson.object();
            switch (event) {
                case OutputEvent.ReasoningDelta r -> {
                    reasoning.append(r.text());
                    delta.put("reasoning_content", r.text());
                }
                case OutputEvent.ContentDelta c -> {
                    content.append(c.text());
                    delta.put("content", c.text());
                }
                case OutputEvent.ToolCallComplete t -> {
                    ObjectNode call = toolCall(t.call());
                    ObjectNode indexed = OpenAiJson.object().put("index", toolCalls.size());
                    indexed.setAll(call);
                    toolCalls.add(call);
                    delta.putArray("tool_calls").add(indexed);
                }
            }
            out.add(delta);
        }
        return out;
    }

    private static ObjectNode toolCall(FunctionCall call) {
        ObjectNode o = OpenAiJson.object();
        o.put("id", OpenAiJson.id("call_"));
        o.put("type", "function");
        ObjectNode f = o.putObject("function");
        f.put("name", call.name());
        f.put("arguments", call.argumentsJson());
        return o;
    }
}
