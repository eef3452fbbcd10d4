package io.glm4j.chat;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link ChatRequest} into the variables a chat template sees, prepared the way vLLM
 * prepares them before rendering: JSON becomes plain insertion-ordered maps, lists, strings,
 * numbers and booleans; a null or absent {@code content} becomes {@code ""} (jinja2 would print
 * {@code None}); tool-call {@code arguments} sent as a JSON string are decoded to a map, and
 * arguments that are missing, empty, malformed or not an object become an empty map (templates
 * call {@code arguments.items()}). {@code chat_template_kwargs} become top-level variables.
 */
final class TemplateVariables {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TemplateVariables() {}

    static Map<String, Object> of(ChatRequest request) {
        Map<String, Object> vars = new LinkedHashMap<>();
        request.chatTemplateKwargs().forEach((name, value) -> vars.put(name, plain(value)));
        vars.put("messages", request.messages().stream().map(TemplateVariables::message).toList());
        vars.put("tools", request.tools() == null ? null : request.tools().stream().map(TemplateVariables::plain).toList());
        vars.put("add_generation_prompt", request.addsGenerationPrompt());
        return vars;
    }

    private static Map<String, Object> message(ChatMessage m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("role", m.role());
        out.put("content", m.content() == null || m.content().isNull() ? "" : plain(m.content()));
        putIfPresent(out, "reasoning_content", m.reasoningContent());
        if (m.toolCalls() != null) {
            out.put("tool_calls", m.toolCalls().stream().map(TemplateVariables::toolCall).toList());
        }
        putIfPresent(out, "tool_call_id", m.toolCallId());
        putIfPresent(out, "name", m.name());
        return out;
    }

    private static Map<String, Object> toolCall(ChatMessage.ToolCall call) {
        Map<String, Object> out = new LinkedHashMap<>();
        putIfPresent(out, "id", call.id());
        putIfPresent(out, "type", call.type());
        if (call.function() != null) {
            Map<String, Object> function = new LinkedHashMap<>();
            function.put("name", call.function().name());
            function.put("arguments", arguments(call.function().arguments()));
            out.put("function", function);
        }
        return out;
    }

    private static Object arguments(JsonNode arguments) {
        JsonNode decoded = arguments;
        if (arguments.isTextual()) {
            try {
                decoded = JSON.readTree(arguments.asText());
            } catch (JacksonException e) {
                decoded = null;
            }
        }
        return decoded != null && decoded.isObject() ? plain(decoded) : new LinkedHashMap<>();
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    /** JSON as the plain Java values a template works with. */
    static Object plain(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), plain(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(plain(item)));
            return list;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }
}
