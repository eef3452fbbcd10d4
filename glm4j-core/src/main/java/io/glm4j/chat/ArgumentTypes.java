package io.glm4j.chat;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Types tool-call argument values by the request's tool schemas, as vLLM's and SGLang's GLM-4.5
 * parsers do. The model writes string values raw and every other value as JSON, so: a parameter
 * whose schema says string keeps the raw text; any other parameter, or one the schema does not
 * know, is read as JSON when the text is exactly one JSON value, and kept as the raw string
 * otherwise.
 */
final class ArgumentTypes {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Function name to its parameters' {@code properties} schema object. */
    private final Map<String, JsonNode> properties = new HashMap<>();

    ArgumentTypes(List<JsonNode> tools) {
        if (tools == null) {
            return;
        }
        for (JsonNode tool : tools) {
            JsonNode function = tool.has("function") ? tool.get("function") : tool;
            JsonNode name = function.get("name");
            if (name != null && name.isTextual()) {
                properties.putIfAbsent(name.asText(), function.path("parameters").path("properties"));
            }
        }
    }

    JsonNode value(String function, String parameter, String raw) {
        JsonNode schema = properties.getOrDefault(function, JSON.missingNode()).path(parameter);
        if (isString(schema)) {
            return TextNode.valueOf(raw);
        }
        try {
            JsonNode parsed = JSON.readTree(raw);
            return parsed == null || parsed.isMissingNode() ? TextNode.valueOf(raw) : parsed;
        } catch (JacksonException e) {
            return TextNode.valueOf(raw);
        }
    }

    /** A string type, possibly nullable: {@code "string"}, {@code ["string","null"]}, anyOf/oneOf of those, a string enum. */
    static boolean isString(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isTextual()) {
            return type.asText().equals("string");
        }
        if (type.isArray()) {
            return allOf(type, t -> t.asText().equals("null"), t -> t.asText().equals("string"));
        }
        for (String union : List.of("anyOf", "oneOf")) {
            if (schema.path(union).isArray()) {
                return allOf(schema.get(union), t -> t.path("type").asText().equals("null"), ArgumentTypes::isString);
            }
        }
        return schema.path("enum").isArray() && allOf(schema.get("enum"), JsonNode::isNull, JsonNode::isTextual);
    }

    /** Every element is either ignorable or a string, and at least one is a string. */
    private static boolean allOf(JsonNode items, java.util.function.Predicate<JsonNode> ignorable,
                                 java.util.function.Predicate<JsonNode> string) {
        boolean any = false;
        for (JsonNode item : items) {
            if (string.test(item)) {
                any = true;
            } else if (!ignorable.test(item)) {
                return false;
            }
        }
        return any;
    }
}
