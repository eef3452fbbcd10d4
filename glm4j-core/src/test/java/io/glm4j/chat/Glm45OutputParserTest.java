package io.glm4j.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The replies GLM-4.5 writes (SPEC §6.3–6.4), plus malformed ones, parsed whole against the
 * expected message, and re-parsed split at every boundary: each single split point, code point by
 * code point, in token-like pieces and at random points. Every split must give the same events.
 */
class Glm45OutputParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final JsonNode WEATHER = json("""
            {"type": "function", "function": {"name": "get_weather", "description": "Get current weather for a city",
             "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"},
             "days": {"type": "integer"}}, "required": ["city"]}}}""");
    private static final JsonNode TYPED = json("""
            {"type": "function", "function": {"name": "typed", "parameters": {"type": "object", "properties": {
             "zip": {"type": "string"}, "count": {"type": "integer"}, "ratio": {"type": "number"},
             "on": {"type": "boolean"}, "tags": {"type": "array"}, "opts": {"type": "object"},
             "maybe": {"type": ["string", "null"]}, "choice": {"enum": ["1", "2"]},
             "either": {"anyOf": [{"type": "string"}, {"type": "null"}]}, "mixed": {"type": ["integer", "string"]}}}}}""");

    record Example(String name, ThinkingStart start, List<JsonNode> tools, String text, ParsedOutput expected) {}

    private static final List<Example> EXAMPLES = List.of(
            // SPEC 6.4: thinking mode, answer after the think block
            example("thinking_then_answer", ThinkingStart.AWAITING, "\n<think>REASONING</think>\nANSWER TEXT",
                    "REASONING", "ANSWER TEXT"),
            // SPEC 6.4: reasoning, optional text, then two calls
            example("reasoning_text_and_two_calls", ThinkingStart.AWAITING, List.of(WEATHER),
                    "\n<think>Let me check both.</think>\nChecking.\n<tool_call>get_weather\n<arg_key>city</arg_key>\n"
                            + "<arg_value>Paris</arg_value>\n<arg_key>days</arg_key>\n<arg_value>2</arg_value>\n</tool_call>\n"
                            + "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Rome</arg_value>\n</tool_call>",
                    "Let me check both.", "Checking.",
                    call("get_weather", "{\"city\": \"Paris\", \"days\": 2}"), call("get_weather", "{\"city\": \"Rome\"}")),
            // SPEC 6.3 (e): the assistant turn of a tool loop, days typed as integer by the schema
            example("spec_e_tool_call_with_reasoning", ThinkingStart.AWAITING, List.of(WEATHER),
                    "\n<think>I should call get_weather.</think>\n<tool_call>get_weather\n<arg_key>city</arg_key>\n"
                            + "<arg_value>Paris</arg_value>\n<arg_key>days</arg_key>\n<arg_value>2</arg_value>\n</tool_call>",
                    "I should call get_weather.", "", call("get_weather", "{\"city\": \"Paris\", \"days\": 2}")),
            // SPEC 6.3 (g): non-string values are JSON, strings raw; no schema, so every value is tried as JSON
            example("spec_g_non_string_values", ThinkingStart.AWAITING,
                    "\n<think></think>\nBooking now.\n<tool_call>book\n<arg_key>ids</arg_key>\n<arg_value>[1, 2]</arg_value>\n"
                            + "<arg_key>opts</arg_key>\n<arg_value>{\"vip\": true}</arg_value>\n<arg_key>note</arg_key>\n"
                            + "<arg_value>ok</arg_value>\n<arg_key>flag</arg_key>\n<arg_value>false</arg_value>\n"
                            + "<arg_key>price</arg_key>\n<arg_value>null</arg_value>\n</tool_call>",
                    "", "Booking now.",
                    call("book", "{\"ids\": [1, 2], \"opts\": {\"vip\": true}, \"note\": \"ok\", \"flag\": false, \"price\": null}")),
            example("values_typed_by_schema", ThinkingStart.CLOSED, List.of(TYPED),
                    "<tool_call>typed\n" + arg("zip", "02134") + arg("count", "7") + arg("ratio", "1.5") + arg("on", "true")
                            + arg("tags", "[\"a\", 1]") + arg("opts", "{\"k\": [null]}") + arg("maybe", "null")
                            + arg("choice", "2") + arg("either", "3") + arg("mixed", "4") + arg("unknown", "12")
                            + arg("free", "hello") + "</tool_call>",
                    "", "", call("typed", "{\"zip\": \"02134\", \"count\": 7, \"ratio\": 1.5, \"on\": true, \"tags\": [\"a\", 1],"
                            + " \"opts\": {\"k\": [null]}, \"maybe\": \"null\", \"choice\": \"2\", \"either\": \"3\", \"mixed\": 4,"
                            + " \"unknown\": 12, \"free\": \"hello\"}")),
            example("undecodable_values_fall_back_to_raw", ThinkingStart.CLOSED, List.of(TYPED),
                    "<tool_call>typed\n" + arg("count", "seven") + arg("tags", "[1, 2") + arg("on", "True")
                            + arg("string_as_json", "[1,2] trailing") + arg("zip", "[1, 2]") + "</tool_call>",
                    "", "", call("typed", "{\"count\": \"seven\", \"tags\": \"[1, 2\", \"on\": \"True\","
                            + " \"string_as_json\": \"[1,2] trailing\", \"zip\": \"[1, 2]\"}")),
            // SPEC 6.2: enable_thinking=false pre-fills <think></think>, so the reply is all answer
            example("non_thinking_prompt", ThinkingStart.CLOSED, "\nHello there!", "", "Hello there!"),
            example("think_tags_after_closed_prompt_are_text", ThinkingStart.CLOSED, "<think>x</think>y",
                    "", "<think>x</think>y"),
            // the generation prompt ends inside an open think block
            example("prompt_opened_think", ThinkingStart.OPEN, "\nReasoning here.\n</think>\n\nAnswer.",
                    "Reasoning here.", "Answer."),
            example("no_think_block", ThinkingStart.AWAITING, "Plain answer.", "", "Plain answer."),
            example("empty_think_block", ThinkingStart.AWAITING, "\n<think></think>\nShort.", "", "Short."),
            // GLM-4.7 forms that vLLM / SGLang accept: no newline after the name, zero arguments
            example("name_without_newline", ThinkingStart.CLOSED, List.of(WEATHER),
                    "<tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value></tool_call>",
                    "", "", call("get_weather", "{\"city\": \"Paris\"}")),
            example("zero_argument_calls", ThinkingStart.CLOSED, "<tool_call>now</tool_call><tool_call>now\n</tool_call>",
                    "", "", call("now", "{}"), call("now", "{}")),
            // SGLang tolerates a literal backslash-n written instead of a newline
            example("literal_backslash_n_separators", ThinkingStart.CLOSED, List.of(WEATHER),
                    "<tool_call>get_weather\\n<arg_key>city</arg_key>\\n<arg_value>Paris</arg_value>\\n</tool_call>",
                    "", "", call("get_weather", "{\"city\": \"Paris\"}")),
            example("values_are_stripped_inner_whitespace_kept", ThinkingStart.CLOSED,
                    "<tool_call>write\n<arg_key> path </arg_key>\n<arg_value>\n  a.txt \n</arg_value>\n"
                            + "<arg_key>text</arg_key>\n<arg_value>\nline1\n  line2\n\n</arg_value>\n</tool_call>",
                    "", "", call("write", "{\"path\": \"a.txt\", \"text\": \"line1\\n  line2\"}")),
            example("text_around_calls_joins_into_content", ThinkingStart.AWAITING,
                    "\n<think>r</think>\nA\n<tool_call>now\n</tool_call>\nB\n", "r", "A\n\nB", call("now", "{}")),
            example("unicode_everywhere", ThinkingStart.AWAITING, List.of(WEATHER),
                    "\n<think>Zürich? 考虑一下 🤔</think>\n好的\u00a0\n<tool_call>get_weather\n<arg_key>city</arg_key>\n"
                            + "<arg_value>Zürich 🇨🇭</arg_value>\n<arg_key>ключ</arg_key>\n<arg_value>{\"ü\": \"😀\"}</arg_value>\n</tool_call>",
                    "Zürich? 考虑一下 🤔", "好的", call("get_weather", "{\"city\": \"Zürich 🇨🇭\", \"ключ\": {\"ü\": \"😀\"}}")),
            // like vLLM and llama.cpp: a call written inside the think block stays reasoning
            example("markup_inside_reasoning_is_reasoning", ThinkingStart.AWAITING,
                    "<think>maybe <tool_call>x\n</tool_call> later</think>done", "maybe <tool_call>x\n</tool_call> later", "done"),

            // malformed or unterminated markup comes out as text
            example("unterminated_call", ThinkingStart.CLOSED, List.of(WEATHER),
                    "Let me call.\n<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Par",
                    "", "Let me call.\n<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Par"),
            example("junk_in_call", ThinkingStart.CLOSED, "<tool_call>get_weather\nsome junk\n</tool_call>",
                    "", "<tool_call>get_weather\nsome junk\n</tool_call>"),
            example("call_without_name", ThinkingStart.CLOSED,
                    "<tool_call>\n<arg_key>a</arg_key>\n<arg_value>1</arg_value>\n</tool_call>",
                    "", "<tool_call>\n<arg_key>a</arg_key>\n<arg_value>1</arg_value>\n</tool_call>"),
            example("key_without_value", ThinkingStart.CLOSED, "<tool_call>f\n<arg_key>a</arg_key>\n</tool_call> ok",
                    "", "<tool_call>f\n<arg_key>a</arg_key>\n</tool_call> ok"),
            example("empty_key", ThinkingStart.CLOSED, "<tool_call>f\n<arg_key> </arg_key><arg_value>1</arg_value></tool_call>",
                    "", "<tool_call>f\n<arg_key> </arg_key><arg_value>1</arg_value></tool_call>"),
            example("nested_call_open", ThinkingStart.CLOSED, "<tool_call>a\n<tool_call>b\n</tool_call>",
                    "", "<tool_call>a\n<tool_call>b\n</tool_call>"),
            example("unclosed_think", ThinkingStart.AWAITING, "\n<think>still thinking\n", "still thinking", ""),
            example("stray_close_think_in_answer", ThinkingStart.AWAITING, "Answer </think> more",
                    "", "Answer </think> more"),
            example("stray_close_call", ThinkingStart.CLOSED, "x</tool_call>y", "", "x</tool_call>y"),
            example("partial_call_tag_at_end", ThinkingStart.CLOSED, "Text <tool_ca", "", "Text <tool_ca"),
            example("partial_think_tag_at_end", ThinkingStart.AWAITING, "\n<thi", "", "<thi"),
            example("partial_close_think_at_end", ThinkingStart.OPEN, "abc</thi", "abc</thi", ""),
            example("angle_brackets", ThinkingStart.AWAITING, "a < b <<tool_call>now</tool_call> c<",
                    "", "a < b < c<", call("now", "{}")),
            example("whitespace_only", ThinkingStart.AWAITING, "  \n ", "", ""),
            example("empty", ThinkingStart.AWAITING, "", "", ""));

    @TestFactory
    Stream<DynamicTest> parsesEachExampleWhole() {
        return EXAMPLES.stream().map(e -> DynamicTest.dynamicTest(e.name(), () ->
                assertThat(parser(e).parseAll(e.text())).isEqualTo(e.expected())));
    }

    @TestFactory
    Stream<DynamicTest> everySplitGivesTheSameEvents() {
        return EXAMPLES.stream().map(e -> DynamicTest.dynamicTest(e.name(), () -> {
            List<OutputEvent> whole = parse(e, List.of(e.text()));
            for (List<String> pieces : splits(e.text())) {
                assertThat(parse(e, pieces)).as("pieces %s", pieces).isEqualTo(whole);
            }
        }));
    }

    @Test
    void streamsReasoningAndContentAsTheyArrive() {
        Glm45OutputParser parser = new Glm45OutputParser(ThinkingStart.AWAITING, List.of(WEATHER));

        assertThat(parser.feed("\n")).isEmpty();
        assertThat(parser.feed("<think>")).isEmpty();
        assertThat(parser.feed("Checking")).containsExactly(new OutputEvent.ReasoningDelta("Checking"));
        assertThat(parser.feed(" the weather.</")).containsExactly(new OutputEvent.ReasoningDelta(" the weather."));
        assertThat(parser.feed("think>\nOne moment")).containsExactly(new OutputEvent.ContentDelta("One moment"));
        assertThat(parser.feed(".\n<tool_call>get_weather\n<arg_key>city</arg_key>\n")).containsExactly(
                new OutputEvent.ContentDelta("."));
        assertThat(parser.feed("<arg_value>Paris</arg_value>\n</tool_call>")).containsExactly(
                new OutputEvent.ToolCallComplete(call("get_weather", "{\"city\": \"Paris\"}")));
        assertThat(parser.finish()).isEmpty();
    }

    @Test
    void keepsToolCallMarkupAsTextWhenToolCallsAreOff() {
        Glm45OutputParser parser = new Glm45OutputParser(ThinkingStart.AWAITING, List.of(WEATHER), false);
        String call = "<tool_call>get_weather\n" + arg("city", "Paris") + "</tool_call>";

        assertThat(parser.parseAll("<think>Hm.</think>\nSure.\n" + call))
                .isEqualTo(new ParsedOutput("Hm.", "Sure.\n" + call, List.of()));
    }

    @Test
    void readsThinkingStartFromRenderedPrompts() {
        ChatTemplate template = ChatTemplate.glm45();
        ChatRequest thinking = ChatRequest.fromJson("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        ChatRequest nonThinking = ChatRequest.fromJson("""
                {"messages": [{"role": "user", "content": "hi"}], "chat_template_kwargs": {"enable_thinking": false}}""");
        ChatRequest continuing = ChatRequest.fromJson("""
                {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hel"}],
                 "add_generation_prompt": false}""");

        assertThat(ThinkingStart.fromPrompt(template.render(thinking))).isEqualTo(ThinkingStart.AWAITING);
        assertThat(ThinkingStart.fromPrompt(template.render(nonThinking))).isEqualTo(ThinkingStart.CLOSED);
        assertThat(ThinkingStart.fromPrompt(template.render(continuing))).isEqualTo(ThinkingStart.CLOSED);
        assertThat(ThinkingStart.fromPrompt("<|user|>\nhi<|assistant|>\n<think>")).isEqualTo(ThinkingStart.OPEN);
        assertThat(ThinkingStart.fromPrompt("<|assistant|>\n<think></think>\nx<|user|>\nhi<|assistant|>"))
                .isEqualTo(ThinkingStart.AWAITING);
    }

    /**
     * The assistant turns that jinja2 rendered for the shared examples parse back into the
     * messages they were rendered from (reasoning and content as the template strips them).
     */
    @TestFactory
    Stream<DynamicTest> parsesAssistantTurnsRenderedByJinja2() throws IOException {
        JsonNode examples = JSON.readTree(Path.of("../shared/reference/glm45/chat_examples.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode example : examples) {
            JsonNode inputs = example.get("inputs");
            String rendered = example.get("rendered").asText();
            List<JsonNode> tools = new ArrayList<>();
            inputs.path("tools").forEach(tools::add);
            List<String> turns = assistantTurns(rendered);
            List<JsonNode> assistants = new ArrayList<>();
            inputs.get("messages").forEach(m -> {
                if (m.get("role").asText().equals("assistant")) {
                    assistants.add(m);
                }
            });
            for (int i = 0; i < assistants.size(); i++) {
                JsonNode message = assistants.get(i);
                String turn = turns.get(i);
                boolean keepsReasoning = turn.startsWith("\n<think>") && !turn.startsWith("\n<think></think>");
                tests.add(DynamicTest.dynamicTest(example.get("name").asText() + " turn " + i, () -> {
                    ParsedOutput parsed = new Glm45OutputParser(ThinkingStart.AWAITING, tools).parseAll(turn);
                    assertThat(parsed.reasoning()).isEqualTo(keepsReasoning ? message.get("reasoning_content").asText() : "");
                    String content = message.get("content").asText();
                    String visible = content.contains("</think>")
                            ? content.substring(content.lastIndexOf("</think>") + "</think>".length()) : content;
                    assertThat(parsed.content()).isEqualTo(visible.strip());
                    List<FunctionCall> expectedCalls = new ArrayList<>();
                    message.path("tool_calls").forEach(tc -> expectedCalls.add(
                            new FunctionCall(tc.get("function").get("name").asText(), tc.get("function").get("arguments"))));
                    assertThat(parsed.toolCalls()).isEqualTo(expectedCalls);
                }));
            }
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(5);
        return tests.stream();
    }

    /** The text of each assistant turn: after {@code <|assistant|>}, up to the next role tag. */
    private static List<String> assistantTurns(String rendered) {
        List<String> turns = new ArrayList<>();
        Matcher m = Pattern.compile("<\\|assistant\\|>(.*?)(?=<\\|(?:user|assistant|observation|system)\\|>|$)", Pattern.DOTALL)
                .matcher(rendered);
        while (m.find()) {
            if (!m.group(1).isEmpty()) {
                turns.add(m.group(1));
            }
        }
        return turns;
    }

    private static List<List<String>> splits(String text) {
        List<List<String>> splits = new ArrayList<>();
        for (int at = 1; at < text.length(); at++) {
            splits.add(List.of(text.substring(0, at), text.substring(at)));
        }
        splits.add(text.codePoints().mapToObj(Character::toString).toList());
        splits.add(tokenLikePieces(text));
        Random random = new Random(text.hashCode());
        for (int n = 0; n < 20 && text.length() > 2; n++) {
            List<String> pieces = new ArrayList<>();
            int from = 0;
            while (from < text.length()) {
                int to = Math.min(text.length(), from + 1 + random.nextInt(6));
                pieces.add(text.substring(from, to));
                from = to;
            }
            splits.add(pieces);
        }
        return splits;
    }

    /** Pieces shaped like GLM tokens: each tag whole, then runs of letters, digits, spaces or symbols. */
    private static List<String> tokenLikePieces(String text) {
        Matcher m = Pattern.compile("</?(?:think|tool_call|arg_key|arg_value)>|\\s+|\\p{L}+|\\p{N}{1,3}|[^\\s\\p{L}\\p{N}]+")
                .matcher(text);
        List<String> pieces = new ArrayList<>();
        while (m.find()) {
            pieces.add(m.group());
        }
        assertThat(String.join("", pieces)).isEqualTo(text);
        return pieces;
    }

    /** Events for text fed in pieces, with adjacent deltas of one kind merged. */
    private static List<OutputEvent> parse(Example e, List<String> pieces) {
        Glm45OutputParser parser = parser(e);
        List<OutputEvent> events = new ArrayList<>();
        pieces.forEach(piece -> events.addAll(parser.feed(piece)));
        events.addAll(parser.finish());
        return merged(events);
    }

    private static List<OutputEvent> merged(List<OutputEvent> events) {
        List<OutputEvent> out = new ArrayList<>();
        for (OutputEvent event : events) {
            OutputEvent last = out.isEmpty() ? null : out.getLast();
            if (last instanceof OutputEvent.ReasoningDelta(String a) && event instanceof OutputEvent.ReasoningDelta(String b)) {
                out.set(out.size() - 1, new OutputEvent.ReasoningDelta(a + b));
            } else if (last instanceof OutputEvent.ContentDelta(String a) && event instanceof OutputEvent.ContentDelta(String b)) {
                out.set(out.size() - 1, new OutputEvent.ContentDelta(a + b));
            } else {
                out.add(event);
            }
        }
        return out;
    }

    private static Glm45OutputParser parser(Example e) {
        return new Glm45OutputParser(e.start(), e.tools());
    }

    private static Example example(String name, ThinkingStart start, String text, String reasoning, String content,
                                   FunctionCall... calls) {
        return example(name, start, null, text, reasoning, content, calls);
    }

    private static Example example(String name, ThinkingStart start, List<JsonNode> tools, String text,
                                   String reasoning, String content, FunctionCall... calls) {
        return new Example(name, start, tools, text, new ParsedOutput(reasoning, content, List.of(calls)));
    }

    private static String arg(String key, String value) {
        return "<arg_key>" + key + "</arg_key>\n<arg_value>" + value + "</arg_value>\n";
    }

    private static FunctionCall call(String name, String arguments) {
        return new FunctionCall(name, json(arguments));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
