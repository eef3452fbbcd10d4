package io.glm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.BooleanNode;
import io.glm4j.chat.ChatMessage;
import io.glm4j.chat.ChatRequest;
import io.glm4j.chat.OutputEvent;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.model.KvCacheType;
import io.glm4j.tensor.WorkerPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConversationTest {
    static LoadedModel model;

    @BeforeAll
    static void load() {
        model = LoadedModel.open(Fixtures.model("F32"), WorkerPool.shared());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    Conversation newConversation() {
        return new Conversation(model, new Session(model.model(), model.model().newCache(KvCacheType.F32, 512, 1), 0));
    }

    @Test
    void aSecondTurnReusesTheFirstTurnsPrompt() {
        Conversation chat = newConversation();
        Conversation.Reply first = chat.send("What is free software?", SamplingParams.GREEDY, 6, e -> {}, () -> false);
        Conversation.Reply second = chat.send("And open source?", SamplingParams.GREEDY, 6, e -> {}, () -> false);
        assertThat(first.generation().reusedTokens()).isZero();
        assertThat(second.generation().reusedTokens()).isGreaterThanOrEqualTo(first.generation().promptTokens());
        assertThat(chat.messages()).extracting(ChatMessage::role).containsExactly("user", "assistant", "user", "assistant");
        chat.reset();
        assertThat(chat.messages()).isEmpty();
    }

    @Test
    void theReplyStreamsAsParsedEventsThatAddUpToTheStoredMessage() {
        Conversation chat = newConversation();
        // Force the model to write "<think>" + "</think>" + ordinary text, then end its turn with <|user|>.
        int think = 589, endThink = 590, user = 575;
        List<OutputEvent> events = new ArrayList<>();
        SamplingParams forceThink = SamplingParams.GREEDY.withLogitBias(Map.of(think, 1000f));
        chat.send("hi", forceThink, 1, events::add, () -> false);
        assertThat(events).isEmpty(); // "<think>" alone opens reasoning and shows nothing yet
        chat.reset();
        events.clear();
        Conversation.Reply reply = chat.send("hi", SamplingParams.GREEDY.withLogitBias(Map.of(endThink, 50f, user, -1000f)), 3, events::add, () -> false);
        assertThat(reply.output().content()).isEqualTo(chat.messages().getLast().content().asText());
        assertThat(events).allMatch(e -> !(e instanceof OutputEvent.ToolCallComplete));
    }

    @Test
    void thinkingOffPrefillsAnEmptyThinkBlock() {
        Conversation chat = newConversation();
        chat.setThinking(false);
        List<OutputEvent> events = new ArrayList<>();
        Conversation.Reply reply = chat.send("hi", SamplingParams.GREEDY, 8, events::add, () -> false);
        // The prompt closed the think block, so everything the model writes is content.
        assertThat(reply.output().reasoning()).isEmpty();
        assertThat(events).allMatch(e -> e instanceof OutputEvent.ContentDelta);
        int[] prompt = model.tokenizer().encode(model.template().render(new ChatRequest(
                List.of(ChatMessage.user("hi")), null, true, Map.of("enable_thinking", BooleanNode.FALSE))), true);
        assertThat(reply.generation().promptTokens()).isEqualTo(prompt.length);
        assertThat(model.tokenizer().decodeToString(prompt)).endsWith("hi/nothink<|assistant|>\n<think></think>");
    }
}
