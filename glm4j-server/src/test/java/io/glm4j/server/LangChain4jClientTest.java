package io.glm4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LangChain4j's OpenAI chat models against the server on the tiny fixture model. */
class LangChain4jClientTest {
    private static TinyModel.Running server;

    @BeforeAll
    static void start() {
        server = TinyModel.start(2, 512, 8, ServerOptions.loopback(0).withApiKey("lc4j-key"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ChatRequest question() {
        return ChatRequest.builder()
                .messages(SystemMessage.from("Answer briefly."), UserMessage.from("What is copyleft?"))
                .maxOutputTokens(10)
                .temperature(0.0)
                .build();
    }

    @Test
    void chatModelGetsAnAnswerWithTokenUsage() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.url() + "/v1").apiKey("lc4j-key")
                .modelName(TinyModel.ID).build();

        ChatResponse response = model.chat(question());

        assertThat(response.aiMessage().text()).isNotNull();
        assertThat(response.tokenUsage().outputTokenCount()).isBetween(1, 10);
        assertThat(response.tokenUsage().inputTokenCount()).isGreaterThan(10);
        assertThat(response.finishReason()).isIn(FinishReason.LENGTH, FinishReason.STOP);
        assertThat(response.modelName()).isEqualTo(TinyModel.ID);
    }

    @Test
    void streamingChatModelStreamsTheSameGreedyAnswer() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(server.url() + "/v1").apiKey("lc4j-key")
                .modelName(TinyModel.ID).returnThinking(true).build();
        StringBuilder partial = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        model.chat(question(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String text) {
                partial.append(text);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse streamed = done.get(60, TimeUnit.SECONDS);
        ChatResponse whole = OpenAiChatModel.builder().baseUrl(server.url() + "/v1").apiKey("lc4j-key")
                .modelName(TinyModel.ID).returnThinking(true).build().chat(question());

        assertThat(streamed.aiMessage().text()).isEqualTo(partial.toString().isEmpty() ? null : partial.toString());
        assertThat(streamed.aiMessage().text()).isEqualTo(whole.aiMessage().text());
        assertThat(streamed.aiMessage().thinking()).isEqualTo(whole.aiMessage().thinking());
        assertThat(streamed.tokenUsage().outputTokenCount()).isEqualTo(whole.tokenUsage().outputTokenCount());
    }
}
