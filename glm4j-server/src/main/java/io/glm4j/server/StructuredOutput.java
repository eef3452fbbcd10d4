package io.glm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.Glm4jException;
import io.glm4j.chat.ToolCallGrammar;
import io.glm4j.grammar.GrammarConstraint;
import io.glm4j.grammar.TokenConstraint;
import io.glm4j.grammar.schema.JsonSchemaGrammar;
import java.util.ArrayList;
import java.util.List;

/**
 * The request fields that constrain what is generated, each turned into a grammar:
 * <ul>
 *   <li>{@code response_format}: {@code {"type": "text"}} (free), {@code {"type": "json_object"}}
 *       (any JSON object, or llama.cpp's optional {@code schema} beside it) and
 *       {@code {"type": "json_schema", "json_schema": {"name", "schema", "strict"}}};</li>
 *   <li>{@code json_schema} (llama.cpp's top-level field) and {@code grammar} (GBNF text);</li>
 *   <li>{@code tool_choice} {@code "required"} or {@code {"type": "function", "function": {"name"}}}
 *       (chat only): a GLM-4.5 tool call, see {@link ToolCallGrammar}.</li>
 * </ul>
 * At most one of them may constrain a request. A schema or grammar the engine cannot use is a
 * 400 naming the field and the problem.
 */
final class StructuredOutput {
    private StructuredOutput() {}

    /** A constraint with the field it came from. */
    record Choice(String param, String gbnf) {}

    /** The constraint asked for by {@code response_format}, {@code json_schema} and {@code grammar}, or null. */
    static Choice fromFormatFields(RequestFields f) {
        List<Choice> choices = new ArrayList<>();
        JsonNode format = f.node("response_format");
        if (format != null) {
            Choice c = responseFormat(format);
            if (c != null) choices.add(c);
        }
        if (f.has("json_schema")) choices.add(new Choice("json_schema", schemaGrammar(f.node("json_schema"), "json_schema")));
        if (f.has("grammar")) {
            String gbnf = f.string("grammar", null);
            if (!gbnf.isBlank()) choices.add(new Choice("grammar", gbnf));
        }
        return single(choices);
    }

    /** At most one constraint; two at once are refused. */
    static Choice single(List<Choice> choices) {
        if (choices.size() > 1) {
            throw ApiException.invalid(choices.get(1).param(), "'" + choices.get(0).param() + "' and '" + choices.get(1).param()
                    + "' both constrain the output; give only one");
        }
        return choices.isEmpty() ? null : choices.getFirst();
    }

    /** A forced tool call's grammar for {@code tool_choice} required or named ({@code name} null: any tool). */
    static Choice toolCall(List<JsonNode> tools, String name, boolean parallel) {
        try {
            return new Choice("tool_choice", ToolCallGrammar.of(tools, name, parallel));
        } catch (Glm4jException e) {
            throw ApiException.invalid("tool_choice", e.getMessage());
        }
    }

    /** The choice's grammar, compiled for the model's vocabulary; a grammar that does not compile is a 400. */
    static TokenConstraint compile(Choice choice, ServedModel model) {
        if (choice == null) return null;
        try {
            return GrammarConstraint.of(choice.gbnf(), model.tokenizer());
        } catch (Glm4jException e) {
            throw ApiException.invalid(choice.param(), e.getMessage());
        }
    }

    private static Choice responseFormat(JsonNode v) {
        if (!v.isObject()) throw ApiException.invalid("response_format", "'response_format' must be an object");
        String type = v.path("type").asText("");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> new Choice("response_format", v.has("schema")
                    ? schemaGrammar(v.get("schema"), "response_format.schema") : JsonSchemaGrammar.anyObject());
            case "json_schema" -> {
                JsonNode spec = v.path("json_schema");
                if (!spec.isObject()) throw ApiException.invalid("response_format.json_schema", "'response_format.json_schema' must be an object");
                if (!spec.has("schema")) throw ApiException.missing("response_format.json_schema.schema");
                yield new Choice("response_format", schemaGrammar(spec.get("schema"), "response_format.json_schema.schema"));
            }
            default -> throw ApiException.invalid("response_format.type", "'response_format.type' must be \"text\", \"json_object\" or \"json_schema\"");
        };
    }

    private static String schemaGrammar(JsonNode schema, String param) {
        try {
            return JsonSchemaGrammar.of(schema);
        } catch (Glm4jException e) {
            throw ApiException.invalid(param, e.getMessage());
        }
    }
}
