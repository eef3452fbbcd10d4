package io.glm4j.generate;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.glm4j.chat.ChatMessage;
import io.glm4j.chat.ChatRequest;
import io.glm4j.chat.Glm45OutputParser;
import io.glm4j.chat.OutputEvent;
import io.glm4j.chat.ParsedOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A multi-turn chat with one model: keeps the messages, renders each turn with the model's chat
 * template, generates on a {@link Session} (so the shared prefix of consecutive turns is reused)
 * and splits the reply into reasoning, content and tool calls as it streams.
 */
public final class Conversation {
    private final LoadedModel model;
    private final Session session;
    private final TokenGenerator generator;
    private final List<ChatMessage> messages = new ArrayList<>();
    private boolean thinking = true;

    public Conversation(LoadedModel model, Session session) {
        this(model, session, new Generator(model));
    }

    /** A conversation decoded by {@code generator} (e.g. a {@link SpeculativeGenerator}). */
    public Conversation(LoadedModel model, Session session, TokenGenerator generator) {
        this.model = model;
        this.session = session;
        this.generator = generator;
    }

    /** Thinking mode on (the model may reason first) or off ({@code enable_thinking=false}). */
    public void setThinking(boolean on) {
        thinking = on;
    }

    public boolean thinking() {
        return thinking;
    }

    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    /** Forgets the conversation (the cache is reused by prefix matching as usual). */
    public void reset() {
        messages.clear();
    }

    /** The reply to one user message, with the raw generation result. */
    public record Reply(ParsedOutput output, Generator.Result generation) {}

    /**
     * Sends a user message and streams the reply's events. A cancelled reply is kept as far as it got,
     * so the conversation can go on.
     */
    public Reply send(String userText, SamplingParams sampling, int maxTokens, Consumer<OutputEvent> events, BooleanSupplier cancelled) {
        messages.add(ChatMessage.user(userText));
        ChatRequest request = new ChatRequest(messages, null, true, Map.of("enable_thinking", BooleanNode.valueOf(thinking)));
        String prompt = model.template().render(request);
        int[] ids = model.tokenizer().encode(prompt, true);
        Glm45OutputParser parser = Glm45OutputParser.forPrompt(prompt, request);
        List<OutputEvent> all = new ArrayList<>();
        Generator.Result result;
        try {
            result = generator.generate(session, GenerationRequest.of(ids, sampling, maxTokens), text -> {
                for (OutputEvent e : parser.feed(text)) {
                    all.add(e);
                    events.accept(e);
                }
            }, cancelled);
        } catch (RuntimeException e) {
            messages.removeLast();
            throw e;
        }
        for (OutputEvent e : parser.finish()) {
            all.add(e);
            events.accept(e);
        }
        ParsedOutput output = ParsedOutput.of(all);
        messages.add(new ChatMessage("assistant", TextNode.valueOf(output.content()),
                output.reasoning().isEmpty() ? null : output.reasoning(), null, null, null));
        return new Reply(output, result);
    }
}
