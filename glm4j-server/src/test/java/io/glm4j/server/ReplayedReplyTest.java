package io.glm4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.ChatModel;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import io.glm4j.tokenizer.Tokenizer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reasoning and tool calls from the token level up: a fixed token stream, as GLM-4.5 writes it
 * with {@code <think>}, {@code <tool_call>} and {@code <arg_key>} as single special tokens (ids from
 * the fixture's README), goes through the real decoder, output parser and serializer, and must
 * reach real clients as OpenAI's fields.
 */
class ReplayedReplyTest {
    static final int THINK = 589, END_THINK = 590, TOOL_CALL = 591, END_TOOL_CALL = 592;
    static final int ARG_KEY = 595, END_ARG_KEY = 596, ARG_VALUE = 597, END_ARG_VALUE = 598;
    private static final Tokenizer TOKENIZER = TinyModel.loaded().tokenizer();
    private static final String TOOLS = """
            [{"type": "function", "function": {"name": "get_weather", "description": "Current weather",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city"]}}}]""";

    /** "\n<think>…</think>\nLet me check.\n<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n<arg_key>days</arg_key>…</tool_call>" */
    static final int[] REASON_THEN_CALL = ReplayEngine.ids(TOKENIZER,
            "\n", THINK, "The user wants the weather in Paris.", END_THINK, "\nLet me check.\n",
            TOOL_CALL, "get_weather\n", ARG_KEY, "city", END_ARG_KEY, "\n", ARG_VALUE, "Paris", END_ARG_VALUE, "\n",
            ARG_KEY, "days", END_ARG_KEY, "\n", ARG_VALUE, "3", END_ARG_VALUE, "\n", END_TOOL_CALL);

    private TinyModel.Running server;
    private ReplayEngine engine;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private String start(int[] tokens) {
        engine = new ReplayEngine(TOKENIZER, tokens);
        server = TinyModel.start(engine, 1024, ServerOptions.loopback(0));
        return server.url();
    }

    @Test
    void theSpecialTokensAreTheOnesTheReplayUses() {
        assertThat(List.of(THINK, END_THINK, TOOL_CALL, END_TOOL_CALL, ARG_KEY, END_ARG_KEY, ARG_VALUE, END_ARG_VALUE))
                .extracting(TOKENIZER::tokenText)
                .containsExactly("<think>", "</think>", "<tool_call>", "</tool_call>", "<arg_key>", "</arg_key>", "<arg_value>", "</arg_value>");
    }

    @Test
    void openAiJavaGetsReasoningContentAndATypedToolCall() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(start(REASON_THEN_CALL) + "/v1").apiKey("none").build();
        ChatCompletion completion = client.chat().completions().create(weatherQuestion().build());

        ChatCompletion.Choice choice = completion.choices().getFirst();
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).contains("Let me check.");
        assertThat(OpenAiJavaClientTest.extra(choice.message()._allProperties(), "reasoning_content"))
                .isEqualTo("The user wants the weather in Paris.");
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(call.id()).startsWith("call_");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Paris\",\"days\":3}");
        var usage = completion.usage().orElseThrow();
        assertThat(usage.completionTokens()).isEqualTo(REASON_THEN_CALL.length);
        assertThat(usage.completionTokensDetails().orElseThrow().reasoningTokens()).contains((long) indexOf(REASON_THEN_CALL, END_THINK) + 1);
        client.close();
    }

    @Test
    void openAiJavaStreamsReasoningDeltasAndTheToolCall() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(start(REASON_THEN_CALL) + "/v1").apiKey("none").build();
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        List<ChatCompletionChunk.Choice.Delta.ToolCall> calls = new java.util.ArrayList<>();
        List<ChatCompletionChunk.Choice.FinishReason> finish = new java.util.ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(weatherQuestion().build())) {
            stream.stream().flatMap(c -> c.choices().stream()).forEach(ch -> {
                reasoning.append(OpenAiJavaClientTest.extra(ch.delta()._allProperties(), "reasoning_content"));
                ch.delta().content().ifPresent(content::append);
                ch.delta().toolCalls().ifPresent(calls::addAll);
                ch.finishReason().ifPresent(finish::add);
            });
        }

        assertThat(reasoning.toString()).isEqualTo("The user wants the weather in Paris.");
        assertThat(content.toString()).isEqualTo("Let me check.");
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().index()).isZero();
        assertThat(calls.getFirst().function().orElseThrow().name()).contains("get_weather");
        assertThat(calls.getFirst().function().orElseThrow().arguments()).contains("{\"city\":\"Paris\",\"days\":3}");
        assertThat(finish).containsExactly(ChatCompletionChunk.Choice.FinishReason.TOOL_CALLS);
        client.close();
    }

    @Test
    void langChain4jGetsThinkingAndAToolExecutionRequest() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(start(REASON_THEN_CALL) + "/v1").apiKey("none")
                .modelName(TinyModel.ID).returnThinking(true).build();

        ChatResponse response = model.chat(weatherRequest());

        assertThat(response.aiMessage().thinking()).isEqualTo("The user wants the weather in Paris.");
        assertThat(response.aiMessage().text()).isEqualTo("Let me check.");
        ToolExecutionRequest call = response.aiMessage().toolExecutionRequests().getFirst();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Paris\",\"days\":3}");
        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        assertThat(engine.last().sampling().temperature()).isEqualTo(0.25f);
    }

    @Test
    void langChain4jStreamsThinkingAndAToolExecutionRequest() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(start(REASON_THEN_CALL) + "/v1").apiKey("none")
                .modelName(TinyModel.ID).returnThinking(true).build();
        StringBuilder thinking = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        model.chat(weatherRequest(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialThinking(PartialThinking partial) {
                thinking.append(partial.text());
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
        ChatResponse response = done.get(30, TimeUnit.SECONDS);

        assertThat(thinking.toString()).isEqualTo("The user wants the weather in Paris.");
        assertThat(response.aiMessage().thinking()).isEqualTo("The user wants the weather in Paris.");
        assertThat(response.aiMessage().toolExecutionRequests()).extracting(ToolExecutionRequest::name, ToolExecutionRequest::arguments)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("get_weather", "{\"city\":\"Paris\",\"days\":3}"));
        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    }

    @Test
    void streamsOpenAiChunksInOrder() throws Exception {
        String url = start(REASON_THEN_CALL);

        List<JsonNode> events = SseClient.events(SseClient.post(url + "/v1/chat/completions", """
                {"messages": [{"role": "user", "content": "Weather in Paris?"}], "tools": %s, "stream": true,
                 "stream_options": {"include_usage": true}}""".formatted(TOOLS)));

        JsonNode first = events.getFirst();
        assertThat(first.path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.at("/choices/0/delta")).isEqualTo(SseClient.JSON.readTree("{\"role\": \"assistant\", \"content\": \"\"}"));
        List<String> kinds = events.subList(1, events.size() - 2).stream()
                .map(e -> e.at("/choices/0/delta").fieldNames().next()).distinct().toList();
        assertThat(kinds).containsExactly("reasoning_content", "content", "tool_calls");
        JsonNode call = events.get(events.size() - 3).at("/choices/0/delta/tool_calls/0");
        assertThat(call.path("index").asInt()).isZero();
        assertThat(call.path("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\",\"days\":3}");
        JsonNode last = events.get(events.size() - 2);
        assertThat(last.at("/choices/0/delta").isEmpty()).isTrue();
        assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode usage = events.getLast();
        assertThat(usage.path("choices").isEmpty()).isTrue();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(REASON_THEN_CALL.length);
        assertThat(usage.at("/usage/completion_tokens_details/reasoning_tokens").asInt()).isEqualTo(indexOf(REASON_THEN_CALL, END_THINK) + 1);
        assertThat(events).extracting(e -> e.path("id").asText()).containsOnly(first.path("id").asText());
    }

    @Test
    void returnsParallelToolCallsWithTheirIndexes() throws Exception {
        int[] twoCalls = ReplayEngine.ids(TOKENIZER,
                TOOL_CALL, "get_weather\n", ARG_KEY, "city", END_ARG_KEY, "\n", ARG_VALUE, "Paris", END_ARG_VALUE, "\n", END_TOOL_CALL, "\n",
                TOOL_CALL, "get_weather\n", ARG_KEY, "city", END_ARG_KEY, "\n", ARG_VALUE, "Oslo", END_ARG_VALUE, "\n", END_TOOL_CALL);
        String url = start(twoCalls);

        JsonNode whole = SseClient.post(url + "/v1/chat/completions", """
                {"messages": [{"role": "user", "content": "Paris and Oslo?"}], "tools": %s}""".formatted(TOOLS)).json();
        List<JsonNode> events = SseClient.events(SseClient.post(url + "/v1/chat/completions", """
                {"messages": [{"role": "user", "content": "Paris and Oslo?"}], "tools": %s, "stream": true}""".formatted(TOOLS)));

        assertThat(whole.at("/choices/0/message/content").isNull()).isTrue();
        assertThat(whole.at("/choices/0/message/tool_calls")).extracting(c -> c.at("/function/arguments").asText())
                .containsExactly("{\"city\":\"Paris\"}", "{\"city\":\"Oslo\"}");
        assertThat(whole.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(events).filteredOn(e -> e.at("/choices/0/delta").has("tool_calls"))
                .extracting(e -> e.at("/choices/0/delta/tool_calls/0/index").asInt()).containsExactly(0, 1);
    }

    @Test
    void toolChoiceNoneOffersNoToolsAndKeepsMarkupAsText() throws Exception {
        String url = start(REASON_THEN_CALL);

        JsonNode none = SseClient.post(url + "/v1/chat/completions", """
                {"messages": [{"role": "user", "content": "Weather?"}], "tools": %s, "tool_choice": "none"}""".formatted(TOOLS)).json();
        String promptWithout = TOKENIZER.decodeToString(engine.last().prompt());
        SseClient.post(url + "/v1/chat/completions", """
                {"messages": [{"role": "user", "content": "Weather?"}], "tools": %s, "tool_choice": "auto"}""".formatted(TOOLS));
        String promptWith = TOKENIZER.decodeToString(engine.last().prompt());

        assertThat(none.at("/choices/0/message").has("tool_calls")).isFalse();
        assertThat(none.at("/choices/0/message/content").asText()).startsWith("Let me check.\n<tool_call>get_weather\n<arg_key>city</arg_key>");
        assertThat(none.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(promptWithout).doesNotContain("get_weather");
        assertThat(promptWith).contains("\"name\": \"get_weather\"");
    }

    @Test
    void enableThinkingFalseClosesTheThinkBlockInThePrompt() throws Exception {
        String url = start(ReplayEngine.ids(TOKENIZER, "Sunny."));

        JsonNode reply = SseClient.post(url + "/v1/chat/completions", """
                {"messages": [{"role": "user", "content": "Weather?"}], "chat_template_kwargs": {"enable_thinking": false}}""").json();

        assertThat(TOKENIZER.decodeToString(engine.last().prompt())).endsWith("/nothink<|assistant|>\n<think></think>");
        assertThat(reply.at("/choices/0/message/content").asText()).isEqualTo("Sunny.");
        assertThat(reply.at("/choices/0/message").has("reasoning_content")).isFalse();
        assertThat(reply.at("/usage/completion_tokens_details/reasoning_tokens").asInt()).isZero();
    }

    @Test
    void passesSamplingSettingsAndReportsLogprobs() throws Exception {
        String url = start(ReplayEngine.ids(TOKENIZER, "Sunny today."));

        JsonNode reply = SseClient.post(url + "/v1/chat/completions", """
                {"messages": [{"role": "user", "content": "Weather?"}], "temperature": 0.3, "top_p": 0.5, "top_k": 7, "min_p": 0.05,
                 "presence_penalty": 0.5, "frequency_penalty": -0.5, "repetition_penalty": 1.1, "seed": 42, "stop": ["zzz"],
                 "max_completion_tokens": 50, "logit_bias": {"17": -100}, "logprobs": true, "top_logprobs": 1}""").json();

        var request = engine.last();
        assertThat(request.sampling().temperature()).isEqualTo(0.3f);
        assertThat(request.sampling().topP()).isEqualTo(0.5f);
        assertThat(request.sampling().topK()).isEqualTo(7);
        assertThat(request.sampling().minP()).isEqualTo(0.05f);
        assertThat(request.sampling().presencePenalty()).isEqualTo(0.5f);
        assertThat(request.sampling().frequencyPenalty()).isEqualTo(-0.5f);
        assertThat(request.sampling().repetitionPenalty()).isEqualTo(1.1f);
        assertThat(request.sampling().seed()).isEqualTo(42L);
        assertThat(request.sampling().logitBias()).isEqualTo(Map.of(17, -100f));
        assertThat(request.stop()).containsExactly("zzz");
        assertThat(request.maxTokens()).isEqualTo(50);
        JsonNode logprobs = reply.at("/choices/0/logprobs/content");
        assertThat(logprobs).hasSize(ReplayEngine.ids(TOKENIZER, "Sunny today.").length);
        StringBuilder text = new StringBuilder();
        logprobs.forEach(e -> text.append(e.path("token").asText()));
        assertThat(text.toString()).isEqualTo("Sunny today.");
        assertThat(logprobs.get(0).path("logprob").asDouble()).isEqualTo(-0.25);
        assertThat(logprobs.get(0).path("top_logprobs")).hasSize(1);
    }

    private static ChatCompletionCreateParams.Builder weatherQuestion() {
        return ChatCompletionCreateParams.builder()
                .model(ChatModel.of(TinyModel.ID))
                .addUserMessage("What is the weather in Paris?")
                .addFunctionTool(FunctionDefinition.builder().name("get_weather").description("Current weather")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of(
                                        "city", Map.of("type", "string"), "days", Map.of("type", "integer"))))
                                .build())
                        .build());
    }

    private static ChatRequest weatherRequest() {
        return ChatRequest.builder()
                .messages(UserMessage.from("What is the weather in Paris?"))
                .temperature(0.25)
                .toolSpecifications(ToolSpecification.builder().name("get_weather").description("Current weather")
                        .parameters(JsonObjectSchema.builder().addStringProperty("city").addIntegerProperty("days").required("city").build())
                        .build())
                .build();
    }

    private static int indexOf(int[] ids, int id) {
        for (int i = 0; i < ids.length; i++) if (ids[i] == id) return i;
        return -1;
    }
}
