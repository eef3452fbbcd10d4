package io.glm4j.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glm4j.Glm4jException;
import io.glm4j.grammar.CompiledGrammar;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolCallGrammarTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<JsonNode> tools() throws Exception {
        return List.of(JSON.readTree("""
                {"type": "function", "function": {"name": "get_weather", "description": "Get current weather for a city",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"},
                 "days": {"type": "integer", "minimum": 1, "maximum": 14}}, "required": ["city"]}}}"""),
                JSON.readTree("""
                {"type": "function", "function": {"name": "book", "parameters": {"type": "object",
                 "properties": {"seats": {"type": "array", "items": {"type": "string", "enum": ["A1", "B2"]}, "maxItems": 2},
                 "vip": {"type": "boolean"}}, "required": ["seats", "vip"]}}}"""));
    }

    /** The call text from SPEC §6.3 (e), as the chat template writes it, is in the grammar. */
    @Test
    void acceptsCallsAsTheTemplateWritesThem() throws Exception {
        CompiledGrammar any = CompiledGrammar.parse(ToolCallGrammar.of(tools(), null, false));
        assertThat(any.matches("<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n"
                + "<arg_key>days</arg_key>\n<arg_value>2</arg_value>\n</tool_call>")).isTrue();
        assertThat(any.matches("<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>New York</arg_value>\n</tool_call>")).isTrue();
        assertThat(any.matches("<tool_call>book\n<arg_key>seats</arg_key>\n<arg_value>[\"A1\", \"B2\"]</arg_value>\n"
                + "<arg_key>vip</arg_key>\n<arg_value>true</arg_value>\n</tool_call>")).isTrue();
        assertThat(any.matches("<tool_call>get_weather\n<arg_key>days</arg_key>\n<arg_value>2</arg_value>\n</tool_call>"))
                .as("city is required").isFalse();
        assertThat(any.matches("<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n"
                + "<arg_key>days</arg_key>\n<arg_value>15</arg_value>\n</tool_call>")).as("days above maximum").isFalse();
        assertThat(any.matches("<tool_call>book\n<arg_key>seats</arg_key>\n<arg_value>[\"C3\"]</arg_value>\n"
                + "<arg_key>vip</arg_key>\n<arg_value>true</arg_value>\n</tool_call>")).isFalse();
    }

    @Test
    void aNamedChoiceAllowsOnlyThatFunctionAndParallelCallsAreOptIn() throws Exception {
        String call = "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Oslo</arg_value>\n</tool_call>";
        CompiledGrammar named = CompiledGrammar.parse(ToolCallGrammar.of(tools(), "book", false));
        assertThat(named.matches(call)).isFalse();
        assertThat(CompiledGrammar.parse(ToolCallGrammar.of(tools(), null, false)).matches(call + "\n" + call)).isFalse();
        assertThat(CompiledGrammar.parse(ToolCallGrammar.of(tools(), null, true)).matches(call + "\n" + call)).isTrue();
    }

    @Test
    void refusesChoicesThatCannotBeMet() throws Exception {
        assertThatThrownBy(() -> ToolCallGrammar.of(tools(), "nope", false)).isInstanceOf(Glm4jException.class)
                .hasMessageContaining("'nope', which is not among the tools");
        assertThatThrownBy(() -> ToolCallGrammar.of(List.of(), null, false)).hasMessageContaining("no tools");
    }
}
