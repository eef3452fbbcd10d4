package io.glm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.glm4j.chat.ChatMessage;
import io.glm4j.chat.ChatRequest;
import io.glm4j.chat.FunctionCall;
import io.glm4j.chat.Glm45OutputParser;
import io.glm4j.chat.ParsedOutput;
import io.glm4j.chat.ThinkingStart;
import io.glm4j.chat.ToolCallGrammar;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.grammar.GrammarConstraint;
import io.glm4j.grammar.schema.JsonSchemaGrammar;
import io.glm4j.grammar.schema.SchemaCases;
import io.glm4j.model.KvCacheType;
import io.glm4j.model.synth.DemoModel;
import io.glm4j.tensor.WorkerPool;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Forced tool calls and thinking on random-weight models: the reply, read back by the GLM-4.5
 * output parser, holds a call to an allowed function whose arguments validate against its
 * parameter schema (networknt's validator); with thinking on, the constraint starts after the
 * reasoning block.
 */
class ForcedToolCallTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int SAMPLES = 25;
    static LoadedModel fixture, demo;

    @BeforeAll
    static void load() {
        fixture = LoadedModel.open(Fixtures.model("F32"), WorkerPool.shared());
        demo = LoadedModel.open(DemoModel.path(WorkerPool.shared()), WorkerPool.shared());
    }

    @AfterAll
    static void close() {
        fixture.close();
        demo.close();
    }

    static final String TOOLS = """
            [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
              "properties": {"city": {"type": "string", "maxLength": 30}, "days": {"type": "integer", "minimum": 1, "maximum": 14},
                             "units": {"type": "string", "enum": ["metric", "imperial"]}}, "required": ["city"]}}},
             {"type": "function", "function": {"name": "book_flight", "parameters": {"type": "object",
              "properties": {"from": {"type": "string", "pattern": "^[A-Z]{3}$"}, "to": {"type": "string", "pattern": "^[A-Z]{3}$"},
                             "passengers": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 12},
                               "age": {"type": "integer", "minimum": 0, "maximum": 120}}, "required": ["name", "age"]}, "minItems": 1, "maxItems": 3},
                             "refundable": {"type": "boolean"}}, "required": ["from", "to", "passengers", "refundable"]}}}]""";

    @ParameterizedTest
    @ValueSource(strings = {"fixture:required", "fixture:book_flight", "demo:required", "demo:get_weather", "demo:thinking"})
    void forcedCallsParseIntoValidArguments(String setup) throws Exception {
        String[] parts = setup.split(":");
        LoadedModel model = parts[0].equals("fixture") ? fixture : demo;
        boolean thinking = parts[1].equals("thinking");
        String only = parts[1].equals("required") || thinking ? null : parts[1];
        List<JsonNode> tools = List.of(JSON.readTree(TOOLS).get(0), JSON.readTree(TOOLS).get(1));
        Map<String, JsonNode> kwargs = thinking ? Map.of() : Map.of("enable_thinking", JSON.readTree("false"));
        ChatRequest chat = new ChatRequest(List.of(ChatMessage.user("Book me a flight or tell me the weather.")), tools, null, kwargs);
        String prompt = model.template().render(chat);
        String gbnf = ToolCallGrammar.of(tools, only, false);
        int calls = 0, reasoned = 0;
        Session session = new Session(model.model(), model.model().newCache(KvCacheType.F32, 2048, 1), 0); // the prompt is reused
        for (int seed = 0; seed < SAMPLES; seed++) {
            var constraint = AfterThinking.of(GrammarConstraint.of(gbnf, model.tokenizer()), ThinkingStart.fromPrompt(prompt), model.tokenizer());
            GenerationRequest request = new GenerationRequest(model.tokenizer().encode(prompt, true),
                    SamplingParams.GLM45_DEFAULTS.withTemperature(1f).withTopP(1f).withSeed((long) seed), 400, List.of(), false, 0, constraint);
            Generator.Result r = new Generator(model).generate(session, request, text -> {}, () -> false);
            assertThat(r.finishReason()).as(r.text()).isEqualTo(FinishReason.STOP);
            ParsedOutput out = Glm45OutputParser.forPrompt(prompt, chat).parseAll(r.text());
            assertThat(out.toolCalls()).as(r.text()).hasSize(1);
            FunctionCall call = out.toolCalls().getFirst();
            if (only != null) assertThat(call.name()).isEqualTo(only);
            JsonNode parameters = tools.stream().map(t -> t.get("function")).filter(f -> f.get("name").asText().equals(call.name()))
                    .findFirst().orElseThrow().get("parameters");
            var errors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(parameters).validate(call.arguments());
            assertThat(errors).as("%s from %s", call.arguments(), r.text()).isEmpty();
            assertThat(out.content()).as(r.text()).isEmpty();
            calls++;
            if (!out.reasoning().isEmpty()) reasoned++;
        }
        assertThat(calls).isEqualTo(SAMPLES);
        if (!thinking) assertThat(reasoned).isZero();
    }

    /** With thinking on, JSON output comes after the reasoning block and validates. */
    @ParameterizedTest
    @ValueSource(strings = {"fixture", "demo"})
    void schemaOutputStartsAfterTheReasoningBlock(String which) {
        LoadedModel model = which.equals("fixture") ? fixture : demo;
        SchemaCases person = SchemaCases.all().getFirst();
        ChatRequest chat = ChatRequest.of(List.of(ChatMessage.user("Who are you? Answer in JSON.")));
        String prompt = model.template().render(chat);
        assertThat(ThinkingStart.fromPrompt(prompt)).isEqualTo(ThinkingStart.AWAITING);
        String gbnf = JsonSchemaGrammar.of(person.schema());
        int thought = 0;
        Session session = new Session(model.model(), model.model().newCache(KvCacheType.F32, 1024, 1), 0);
        for (int seed = 0; seed < SAMPLES; seed++) {
            var constraint = AfterThinking.of(GrammarConstraint.of(gbnf, model.tokenizer()), ThinkingStart.AWAITING, model.tokenizer());
            GenerationRequest request = new GenerationRequest(model.tokenizer().encode(prompt, true),
                    SamplingParams.GLM45_DEFAULTS.withTemperature(1f).withTopP(1f).withSeed((long) seed), 120, List.of(), false, 0, constraint);
            Generator.Result r = new Generator(model).generate(session, request, text -> {}, () -> false);
            ParsedOutput out = Glm45OutputParser.forPrompt(prompt, chat).parseAll(r.text());
            assertThat(r.finishReason()).as(r.text()).isEqualTo(FinishReason.STOP);
            assertThat(person.problems(out.content())).as(r.text()).isEmpty();
            if (r.text().contains("</think>")) thought++;
        }
        assertThat(thought).as("some replies think first, some answer at once").isBetween(1, SAMPLES - 1);
    }
}
