package io.glm4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java examples of the README's "Serve" section, as written there, against
 * {@code glm4j serve --alias glm-4.5-air} on the tiny model (only the port differs).
 */
class ReadmeExamplesTest {
    private static TinyModel.Running server;
    private static String baseUrl;

    @BeforeAll
    static void start() {
        Engine engine = Engine.of(new io.glm4j.generate.Scheduler(TinyModel.loaded(), 2, 512, io.glm4j.model.KvCacheType.F16, 8));
        server = new TinyModel.Running(engine, OpenAiServer.start(TinyModel.served(512).withId("glm-4.5-air"), engine, ServerOptions.loopback(0)));
        baseUrl = server.url() + "/v1";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void openAiJava() {
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl)                 // "http://127.0.0.1:8080/v1"
                .apiKey("none")                   // or the server's --api-key
                .build();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("glm-4.5-air")
                .addUserMessage("What is free software?")
                .maxCompletionTokens(20)
                .build();

        ChatCompletion reply = client.chat().completions().create(params);
        System.out.println(reply.choices().get(0).message().content().orElse(""));

        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream()
                    .flatMap(chunk -> chunk.choices().stream())
                    .flatMap(choice -> choice.delta().content().stream())
                    .forEach(streamed::append);   // System.out::print
        }

        assertThat(reply.model()).isEqualTo("glm-4.5-air");
        assertThat(reply.usage().orElseThrow().completionTokens()).isBetween(1L, 20L);
        assertThat(streamed).isNotNull();
    }

    @Test
    void langChain4j() {
        ChatModel model = OpenAiChatModel.builder()
                .baseUrl(baseUrl)                 // "http://127.0.0.1:8080/v1"
                .apiKey("none")
                .modelName("glm-4.5-air")
                .maxTokens(20)
                .returnThinking(true)             // GLM's reasoning as AiMessage.thinking()
                .build();

        AiMessage answer = model.chat(UserMessage.from("What is free software?")).aiMessage();
        System.out.println(answer.thinking());
        System.out.println(answer.text());

        assertThat(answer.text() != null || answer.thinking() != null).isTrue();
    }
}
