package io.glm4j.chat;

import static io.glm4j.chat.Glm45Markup.ARG_KEY_CLOSE;
import static io.glm4j.chat.Glm45Markup.ARG_KEY_OPEN;
import static io.glm4j.chat.Glm45Markup.ARG_VALUE_CLOSE;
import static io.glm4j.chat.Glm45Markup.ARG_VALUE_OPEN;
import static io.glm4j.chat.Glm45Markup.TOOL_CALL_CLOSE;
import static io.glm4j.chat.Glm45Markup.TOOL_CALL_OPEN;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.glm4j.Glm4jException;
import io.glm4j.grammar.schema.JsonSchemaGrammar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GBNF for a forced tool call (OpenAI {@code tool_choice: "required"} or a named function) in
 * GLM-4.5's markup:
 * <pre>&lt;tool_call&gt;NAME\n&lt;arg_key&gt;K&lt;/arg_key&gt;\n&lt;arg_value&gt;V&lt;/arg_value&gt;\n…&lt;/tool_call&gt;</pre>
 * Arguments come in the order the parameter schema lists them, required ones always, optional
 * ones or not. Values follow {@link ArgumentTypes}, so that {@link Glm45OutputParser} reads back
 * exactly what was generated: a parameter the parser types as a string is raw text (see
 * {@link JsonSchemaGrammar#rawString}), any other is JSON valid for its schema.
 */
public final class ToolCallGrammar {
    private ToolCallGrammar() {}

    /**
     * @param tools    the request's tools ({@code {"type": "function", "function": {...}}})
     * @param only     the function that must be called, or null for any of them
     * @param parallel whether more calls may follow the first (separated by a newline)
     */
    public static String of(List<JsonNode> tools, String only, boolean parallel) {
        Map<String, JsonNode> functions = new LinkedHashMap<>();
        if (tools != null) {
            for (JsonNode tool : tools) {
                JsonNode f = tool.has("function") ? tool.get("function") : tool;
                if (f.path("name").isTextual()) functions.putIfAbsent(f.get("name").asText(), f);
            }
        }
        if (functions.isEmpty()) throw new Glm4jException("tool_choice requires a call, but the request has no tools");
        if (only != null && !functions.containsKey(only)) throw new Glm4jException("tool_choice names function '" + only + "', which is not among the tools");
        JsonSchemaGrammar g = new JsonSchemaGrammar();
        List<String> calls = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : functions.entrySet()) {
            if (only == null || only.equals(f.getKey())) calls.add(call(g, f.getKey(), f.getValue().path("parameters")));
        }
        String call = g.rule("call", JsonSchemaGrammar.literal(TOOL_CALL_OPEN) + " ( " + String.join(" | ", calls) + " ) "
                + JsonSchemaGrammar.literal(TOOL_CALL_CLOSE));
        return g.toGbnf(parallel ? call + " ( \"\\n\" " + call + " )*" : call);
    }

    private static String call(JsonSchemaGrammar g, String name, JsonNode parameters) {
        if (name.isBlank() || name.contains("<") || name.contains("\n")) throw new Glm4jException("tool name '" + name + "' cannot be written as a GLM-4.5 tool call");
        Set<String> required = new LinkedHashSet<>();
        parameters.path("required").forEach(r -> required.add(r.asText()));
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        parameters.path("properties").properties().forEach(p -> properties.put(p.getKey(), p.getValue()));
        for (String r : required) properties.putIfAbsent(r, JsonNodeFactory.instance.booleanNode(true));
        StringBuilder args = new StringBuilder();
        for (Map.Entry<String, JsonNode> p : properties.entrySet()) {
            String key = p.getKey();
            if (key.isBlank() || key.contains("<")) throw new Glm4jException("parameter '" + key + "' of tool '" + name + "' cannot be written as a GLM-4.5 argument");
            String hint = name + "-" + key;
            String value = p.getValue().isObject() && ArgumentTypes.isString(p.getValue())
                    ? g.rawString(p.getValue(), parameters, hint)
                    : g.value(p.getValue(), parameters, hint);
            String pair = g.rule(hint + "-arg", JsonSchemaGrammar.literal(ARG_KEY_OPEN + key + ARG_KEY_CLOSE + "\n" + ARG_VALUE_OPEN)
                    + " " + value + " " + JsonSchemaGrammar.literal(ARG_VALUE_CLOSE + "\n"));
            args.append(' ').append(pair).append(required.contains(key) ? "" : "?");
        }
        return JsonSchemaGrammar.literal(name + "\n") + args;
    }
}
