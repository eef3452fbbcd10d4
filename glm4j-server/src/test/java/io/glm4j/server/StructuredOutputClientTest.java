package io.glm4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.ChatModel;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionCreateParams;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.glm4j.generate.LoadedModel;
import io.glm4j.generate.Scheduler;
import io.glm4j.model.KvCacheType;
import io.glm4j.model.synth.DemoModel;
import io.glm4j.tensor.WorkerPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Structured output and forced tool calls through real clients against {@code glm4j serve}'s
 * server on the demo model (random weights: only the constraints make its output usable). Tool
 * calling runs the whole loop: tool specification, forced call, tool result, final answer.
 */
class StructuredOutputClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEATHER_PARAMETERS = """
            {"type": "object", "properties": {"city": {"type": "string", "maxLength": 20},
             "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city", "days"]}""";
    private static LoadedModel demo;
    private static OpenAiServer server;
    private static Scheduler scheduler;
    private static String modelId;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        demo = LoadedModel.open(DemoModel.path(WorkerPool.shared()), WorkerPool.shared());
        scheduler = new Scheduler(demo, 2, 2048, KvCacheType.F32, 8);
        ServedModel served = ServedModel.of(demo, 2048);
        modelId = served.id();
        server = OpenAiServer.start(served, Engine.of(scheduler), ServerOptions.loopback(0));
        client = OpenAIOkHttpClient.builder().baseUrl(server.url() + "/v1").apiKey("none").build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
        scheduler.close();
        demo.close();
    }

    private static void assertValid(String schema, JsonNode value) throws Exception {
        assertThat(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(JSON.readTree(schema)).validate(value))
                .as("%s", value).isEmpty();
    }

    @Test
    void openAiJavaForcedToolCallThenToolResultThenAnswer() throws Exception {
        ChatCompletionFunctionTool tool = ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                .name("get_weather").description("Weather for a city")
                .parameters(JSON.convertValue(JSON.readTree(WEATHER_PARAMETERS), FunctionParameters.class)).build()).build();
        for (long seed = 1; seed <= 3; seed++) {
            ChatCompletionCreateParams.Builder ask = ChatCompletionCreateParams.builder().model(ChatModel.of(modelId))
                    .addUserMessage("What's the weather in Paris for 2 days?").addTool(tool).temperature(1.0).seed(seed)
                    .maxCompletionTokens(300)
                    .toolChoice(ChatCompletionToolChoiceOption.ofNamedToolChoice(ChatCompletionNamedToolChoice.builder()
                            .function(ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build()).build()));
            ChatCompletion first = client.chat().completions().create(ask.build());
            ChatCompletion.Choice choice = first.choices().getFirst();
            assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
            ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
            assertThat(call.function().name()).isEqualTo("get_weather");
            assertValid(WEATHER_PARAMETERS, JSON.readTree(call.function().arguments()));

            ChatCompletion answer = client.chat().completions().create(ask
                    .addMessage(choice.message().toParam())
                    .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("18C and cloudy").build())
                    .toolChoice(ChatCompletionToolChoiceOption.Auto.NONE).maxCompletionTokens(16).build());
            assertThat(answer.choices().getFirst().message().toolCalls().orElse(List.of())).isEmpty();
            assertThat(answer.choices().getFirst().finishReason()).isIn(ChatCompletion.Choice.FinishReason.STOP, ChatCompletion.Choice.FinishReason.LENGTH);
        }
    }

    @Test
    void openAiJavaResponseFormatJsonSchema() throws Exception {
        String schema = """
                {"type": "object", "properties": {"title": {"type": "string", "maxLength": 30},
                 "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}, "maxItems": 3},
                 "score": {"type": "number", "minimum": 0, "maximum": 10}}, "required": ["title", "tags", "score"],
                 "additionalProperties": false}""";
        Map<String, Object> schemaMap = JSON.readValue(schema, Map.class);
        ResponseFormatJsonSchema.JsonSchema.Schema.Builder s = ResponseFormatJsonSchema.JsonSchema.Schema.builder();
        schemaMap.forEach((k, v) -> s.putAdditionalProperty(k, JsonValue.from(v)));
        for (long seed = 1; seed <= 5; seed++) {
            ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model(ChatModel.of(modelId))
                    .addUserMessage("Describe a book as JSON.").temperature(1.0).seed(seed).maxCompletionTokens(300)
                    .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                            .name("book").schema(s.build()).strict(true).build()).build())
                    .build());
            assertValid(schema, JSON.readTree(c.choices().getFirst().message().content().orElseThrow()));
            assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        }
    }

    @Test
    void completionsWithAGrammar() {
        String text = client.completions().create(CompletionCreateParams.builder().model(CompletionCreateParams.Model.of(modelId))
                .prompt("[gMASK]<sop>Pick a colour:").maxTokens(20).temperature(1.0).seed(4L)
                .putAdditionalBodyProperty("grammar", JsonValue.from("root ::= \"colour: \" (\"red\" | \"green\" | \"blue\")"))
                .build()).choices().getFirst().text();
        assertThat(text).matches("colour: (red|green|blue)");
    }

    @Test
    void langChain4jToolLoopWithARequiredCall() throws Exception {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.url() + "/v1").apiKey("none").modelName(modelId)
                .temperature(1.0).maxTokens(300).build();
        ToolSpecification weather = ToolSpecification.builder().name("get_weather").description("Weather for a city")
                .parameters(JsonObjectSchema.builder().addStringProperty("city").addIntegerProperty("days").required("city", "days").build())
                .build();
        List<ChatMessage> messages = new ArrayList<>(List.of(UserMessage.from("Weather in Oslo for 3 days?")));
        ChatResponse first = model.chat(ChatRequest.builder().messages(messages).toolSpecifications(weather).toolChoice(ToolChoice.REQUIRED).build());
        AiMessage call = first.aiMessage();
        assertThat(call.hasToolExecutionRequests()).isTrue();
        ToolExecutionRequest request = call.toolExecutionRequests().getFirst();
        assertThat(request.name()).isEqualTo("get_weather");
        JsonNode arguments = JSON.readTree(request.arguments());
        assertThat(arguments.get("city").isTextual()).isTrue();
        assertThat(arguments.get("days").isIntegralNumber()).isTrue();

        messages.add(call);
        messages.add(ToolExecutionResultMessage.from(request, "-2C, snow"));
        ChatResponse answer = model.chat(ChatRequest.builder().messages(messages).toolSpecifications(weather)
                .toolChoice(ToolChoice.AUTO).maxOutputTokens(16).build());
        assertThat(answer.aiMessage()).isNotNull();
        assertThat(answer.finishReason()).isNotNull();
    }
}
