package io.glm4j.grammar.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.glm4j.Glm4jException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One JSON schema document: resolves its local {@code $ref}s ({@code #}, {@code #/$defs/X},
 * any JSON pointer into the document) and folds {@code allOf} (and a {@code $ref} with sibling
 * keywords) into one schema: properties are united (a property in several parts gets all their
 * schemas), required lists joined, types intersected; any other keyword two parts give
 * differently is refused.
 */
final class SchemaDocument {
    /** Keywords that describe a schema without constraining values. */
    static final Set<String> ANNOTATIONS = Set.of("title", "description", "default", "examples", "$schema", "$id", "$comment",
            "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "contentMediaType", "contentEncoding", "$anchor", "strict");

    private final JsonNode root;

    SchemaDocument(JsonNode root) {
        this.root = root;
    }

    JsonNode resolve(String ref) {
        if (!ref.startsWith("#")) throw new Glm4jException("schema: only local $ref (starting with '#') is supported, got '" + ref + "'");
        JsonNode target = ref.length() == 1 ? root : root.at(ref.substring(1));
        if (target.isMissingNode()) throw new Glm4jException("schema: $ref '" + ref + "' points to nothing");
        return target;
    }

    /** The schema with {@code allOf} folded in; {@code $ref} with siblings is folded too. */
    JsonNode flatten(JsonNode schema) {
        if (!schema.isObject()) return schema;
        boolean refWithSiblings = schema.has("$ref") && constrainingKeys(schema).size() > 1;
        if (!schema.has("allOf") && !refWithSiblings) return schema;
        ObjectNode rest = schema.deepCopy();
        ArrayNode parts = rest.has("allOf") ? (ArrayNode) rest.remove("allOf") : JsonNodeFactory.instance.arrayNode();
        if (!parts.isArray()) throw new Glm4jException("schema: allOf must be an array");
        if (refWithSiblings) parts.add(resolve(rest.remove("$ref").asText()));
        ObjectNode merged = rest;
        for (JsonNode part : parts) {
            JsonNode p = part.has("$ref") && part.size() == 1 ? resolve(part.get("$ref").asText()) : part;
            merged = merge(merged, flatten(p));
        }
        return merged;
    }

    static Set<String> constrainingKeys(JsonNode schema) {
        Set<String> keys = new LinkedHashSet<>();
        schema.fieldNames().forEachRemaining(k -> {
            if (!ANNOTATIONS.contains(k)) keys.add(k);
        });
        return keys;
    }

    /** Both schemas at once (a conservative reading: the result matches only values both accept). */
    static ObjectNode merge(ObjectNode a, JsonNode b) {
        if (b.isBoolean()) {
            if (b.asBoolean()) return a;
            throw new Glm4jException("schema: allOf contains false, so nothing matches");
        }
        ObjectNode out = a.deepCopy();
        for (Map.Entry<String, JsonNode> e : b.properties()) {
            String key = e.getKey();
            JsonNode mine = out.get(key), theirs = e.getValue();
            if (ANNOTATIONS.contains(key) || mine == null) {
                if (mine == null) out.set(key, theirs);
                continue;
            }
            switch (key) {
                case "properties" -> {
                    ObjectNode props = mine.deepCopy();
                    theirs.properties().forEach(p -> props.set(p.getKey(), props.has(p.getKey())
                            ? JsonNodeFactory.instance.objectNode().set("allOf", JsonNodeFactory.instance.arrayNode().add(props.get(p.getKey())).add(p.getValue()))
                            : p.getValue()));
                    out.set("properties", props);
                }
                case "required" -> {
                    Set<String> names = new LinkedHashSet<>();
                    mine.forEach(n -> names.add(n.asText()));
                    theirs.forEach(n -> names.add(n.asText()));
                    ArrayNode arr = JsonNodeFactory.instance.arrayNode();
                    names.forEach(arr::add);
                    out.set("required", arr);
                }
                case "type" -> {
                    Set<String> x = types(mine);
                    x.retainAll(types(theirs));
                    if (x.contains("number")) x.remove("integer");
                    if (x.isEmpty()) throw new Glm4jException("schema: allOf parts have no type in common");
                    ArrayNode arr = JsonNodeFactory.instance.arrayNode();
                    x.forEach(arr::add);
                    out.set("type", x.size() == 1 ? JsonNodeFactory.instance.textNode(x.iterator().next()) : arr);
                }
                default -> {
                    if (!mine.equals(theirs)) throw new Glm4jException("schema: allOf parts disagree on '" + key + "', which is not supported");
                }
            }
        }
        return out;
    }

    static Set<String> types(JsonNode type) {
        Set<String> out = new LinkedHashSet<>();
        if (type.isTextual()) out.add(type.asText());
        else type.forEach(t -> out.add(t.asText()));
        if (out.contains("number")) out.add("integer"); // integers are numbers
        return out;
    }

    static List<String> typeList(JsonNode type) {
        if (type.isTextual()) return List.of(type.asText());
        if (type.isArray()) {
            List<String> out = new java.util.ArrayList<>();
            type.forEach(t -> out.add(t.asText()));
            return out;
        }
        throw new Glm4jException("schema: 'type' must be a string or an array of strings");
    }
}
