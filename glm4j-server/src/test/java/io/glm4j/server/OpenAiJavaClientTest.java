package io.glm4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against the server on the tiny fixture model. */
class OpenAiJavaClientTest {
    private static TinyModel.Running server;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = TinyModel.start(2, 512, 8, ServerOptions.loopback(0).withApiKey("sk-test"));
        client = OpenAIOkHttpClient.builder().baseUrl(server.url() + "/v1").apiKey("sk-test").build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void listsTheServedModel() {
        List<Model> models = client.models().list().data();

        assertThat(models).extracting(Model::id).containsExactly(TinyModel.ID);
        assertThat(client.models().retrieve(TinyModel.ID).ownedBy()).isEqualTo("glm4j");
    }

    @Test
    void answersAChatCompletion() {
        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(ChatModel.of(TinyModel.ID))
                .addSystemMessage("You are terse.")
                .addUserMessage("What is free software?")
                .maxCompletionTokens(8)
                .temperature(0.0)
                .build());

        ChatCompletion.Choice choice = completion.choices().getFirst();
        assertThat(completion.model()).isEqualTo(TinyModel.ID);
        assertThat(choice.finishReason()).isIn(ChatCompletion.Choice.FinishReason.LENGTH, ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage().orElseThrow().completionTokens()).isBetween(1L, 8L);
        assertThat(completion.usage().orElseThrow().promptTokens()).isGreaterThan(10);
        assertThat(choice.message().content()).isPresent();
    }

    @Test
    void streamsAChatCompletion() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(ChatModel.of(TinyModel.ID))
                .addUserMessage("Hello")
                .maxCompletionTokens(12)
                .temperature(0.0)
                .streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }

        assertThat(chunks).extracting(ChatCompletionChunk::id).containsOnly(chunks.getFirst().id());
        assertThat(chunks.getFirst().choices().getFirst().delta().role()).isPresent();
        ChatCompletionChunk usage = chunks.getLast();
        assertThat(usage.choices()).isEmpty();
        assertThat(usage.usage().orElseThrow().completionTokens()).isEqualTo(12);
        ChatCompletionChunk last = chunks.get(chunks.size() - 2);
        assertThat(last.choices().getFirst().finishReason()).contains(ChatCompletionChunk.Choice.FinishReason.LENGTH);

        ChatCompletion whole = client.chat().completions().create(params.toBuilder().streamOptions(java.util.Optional.empty()).build());
        StringBuilder streamed = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        for (ChatCompletionChunk c : chunks) {
            for (ChatCompletionChunk.Choice ch : c.choices()) {
                ch.delta().content().ifPresent(streamed::append);
                reasoning.append(extra(ch.delta()._allProperties(), "reasoning_content"));
            }
        }
        String wholeReasoning = extra(whole.choices().getFirst().message()._allProperties(), "reasoning_content");
        assertThat(streamed.toString()).as("greedy: same text streamed or not").isEqualTo(whole.choices().getFirst().message().content().orElse(""));
        assertThat(reasoning.toString()).isEqualTo(wholeReasoning);
    }

    @Test
    void completesRawTextAndTokenIds() {
        Completion text = client.completions().create(CompletionCreateParams.builder()
                .model(TinyModel.ID).prompt("The licence").maxTokens(5).temperature(0.0).build());
        Completion ids = client.completions().create(CompletionCreateParams.builder()
                .model(TinyModel.ID).promptOfArrayOfTokens(List.of(570L, 572L, 100L, 200L)).maxTokens(5).temperature(0.0).build());

        assertThat(text.choices().getFirst().finishReason()).isEqualTo(com.openai.models.completions.CompletionChoice.FinishReason.LENGTH);
        assertThat(text.usage().orElseThrow().completionTokens()).isEqualTo(5);
        assertThat(ids.usage().orElseThrow().promptTokens()).isEqualTo(4);
        assertThat(ids.choices().getFirst().text()).isNotEmpty();
    }

    @Test
    void streamsACompletion() {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(CompletionCreateParams.builder()
                .model(TinyModel.ID).prompt("The licence").maxTokens(6).temperature(0.0).build())) {
            stream.stream().forEach(c -> c.choices().forEach(ch -> text.append(ch.text())));
        }
        Completion whole = client.completions().create(CompletionCreateParams.builder()
                .model(TinyModel.ID).prompt("The licence").maxTokens(6).temperature(0.0).build());

        assertThat(text.toString()).isEqualTo(whole.choices().getFirst().text());
    }

    /** A field the SDK does not model (vLLM's reasoning_content), or "" when absent. */
    static String extra(java.util.Map<String, com.openai.core.JsonValue> fields, String name) {
        com.openai.core.JsonValue v = fields.get(name);
        return v == null || v.isNull() ? "" : v.convert(String.class);
    }
}
