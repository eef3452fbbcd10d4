package io.glm4j.grammar.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.glm4j.Glm4jException;
import io.glm4j.grammar.CodePoints;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes GBNF for the JSON texts that validate against a JSON schema (drafts 7 to 2020-12), in
 * the spirit of llama.cpp's converter. Supported: {@code type} (one or several), {@code enum},
 * {@code const}, {@code properties} / {@code required} / {@code additionalProperties},
 * {@code items} / {@code prefixItems} / {@code minItems} / {@code maxItems}, {@code anyOf},
 * {@code oneOf}, {@code allOf}, local {@code $ref} (recursion included), {@code nullable},
 * strings' {@code minLength} / {@code maxLength} / {@code pattern} (see {@link PatternGrammar}) and
 * {@code format} date, time, date-time and uuid, and numeric bounds.
 *
 * <p>The grammar may allow fewer texts than the schema does, never more:
 * <ul>
 *   <li>properties come in the order the schema lists them; an object whose schema lists
 *       properties gets no others unless {@code additionalProperties} says so (as in llama.cpp);</li>
 *   <li>whitespace is JSON's but limited (a space, or a newline and up to 20 spaces or tabs) and
 *       nothing follows the top-level value; integers have at most 16 digits, fractions 16,
 *       exponents 2;</li>
 *   <li>a bounded {@code number} gets no exponent and its bounds are rounded inwards to integers
 *       ({@code exclusiveMinimum: 0} allows numbers from 1);</li>
 *   <li>a pattern is matched in full; other formats are not enforced (they are annotations by
 *       default); {@code oneOf} is read as {@code anyOf}, so its branches should not overlap.</li>
 * </ul>
 * Keywords that cannot be honoured ({@code not}, {@code if}, {@code uniqueItems},
 * {@code patternProperties}, ...) are refused with a {@link Glm4jException} naming them.
 */
public final class JsonSchemaGrammar {
    private static final Set<String> UNSUPPORTED = Set.of("not", "if", "then", "else", "dependentSchemas", "dependentRequired",
            "dependencies", "patternProperties", "propertyNames", "contains", "minContains", "maxContains", "multipleOf",
            "unevaluatedItems", "$dynamicRef", "$recursiveRef");

    private final RuleSet rules = new RuleSet();
    /** Per schema document, the rule written for each $ref. */
    private final Map<SchemaDocument, Map<String, String>> refRules = new IdentityHashMap<>();

    /** GBNF for a whole JSON text valid against {@code schema}. */
    public static String of(JsonNode schema) {
        JsonSchemaGrammar g = new JsonSchemaGrammar();
        return g.rules.toGbnf(g.value(schema, "root-value"));
    }

    /** GBNF for any JSON object (OpenAI's {@code response_format: {"type": "json_object"}}). */
    public static String anyObject() {
        RuleSet r = new RuleSet();
        return r.toGbnf(r.primitive("object"));
    }

    /** For building larger grammars (a tool call's arguments): rules are collected here. */
    public JsonSchemaGrammar() {}

    /** A GBNF expression for a JSON value valid against {@code schema}, a document of its own for $refs. */
    public String value(JsonNode schema, String hint) {
        return value(schema, schema, hint);
    }

    /** As {@link #value(JsonNode, String)} for a schema inside {@code document}, which its $refs point into. */
    public String value(JsonNode schema, JsonNode document, String hint) {
        return visit(schema, document(document), hint);
    }

    private final Map<JsonNode, SchemaDocument> documents = new IdentityHashMap<>();

    private SchemaDocument document(JsonNode root) {
        return documents.computeIfAbsent(root, SchemaDocument::new);
    }

    /**
     * A GBNF expression for text that is a string valid against {@code schema}, written as
     * itself, not as a JSON string: {@code maxLength}, {@code minLength}, {@code pattern},
     * {@code enum} and {@code const} apply. The text neither starts nor ends with whitespace and
     * holds no {@code <} (so it cannot run into markup around it); {@code enum} and {@code const}
     * values are written as they are.
     */
    public String rawString(JsonNode schema, String hint) {
        return rawString(schema, schema, hint);
    }

    /** As {@link #rawString(JsonNode, String)} for a schema inside {@code document}, which its $refs point into. */
    public String rawString(JsonNode schema, JsonNode document, String hint) {
        SchemaDocument doc = document(document);
        JsonNode s = doc.flatten(schema.has("$ref") && schema.size() == 1 ? doc.resolve(schema.get("$ref").asText()) : schema);
        List<String> values = new ArrayList<>();
        if (s.has("const")) values.add(s.get("const").asText());
        if (s.has("enum")) s.get("enum").forEach(v -> { if (v.isTextual()) values.add(v.asText()); });
        if (!values.isEmpty()) return rules.add(hint, alternatives(values.stream().map(Gbnf::literal).toList()));
        if (s.has("pattern")) return rules.add(hint, PatternGrammar.toGbnf(s.get("pattern").asText(), PatternGrammar.Mode.RAW));
        int min = s.path("minLength").asInt(0);
        int max = s.has("maxLength") ? s.get("maxLength").asInt() : -1;
        String edge = "[^<\\x00-\\x20\\x7F\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]", middle = "[^<\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]";
        if (max == 0) return "\"\"";
        String longer = max == 1 ? null : edge + " " + middle + repeat(Math.max(0, min - 2), max < 0 ? -1 : max - 2) + " " + edge;
        String body = min >= 2 ? longer : longer == null ? edge : "( " + edge + " | " + longer + " )";
        return rules.add(hint, min == 0 ? "( " + body + " )?" : body);
    }

    /** Adds a rule and returns its name. */
    public String rule(String hint, String body) {
        return rules.add(hint, body);
    }

    /** A GBNF literal for exact text. */
    public static String literal(String text) {
        return Gbnf.literal(text);
    }

    /** The collected rules as a grammar whose root is {@code rootBody}. */
    public String toGbnf(String rootBody) {
        return rules.toGbnf(rootBody);
    }

    private String visit(JsonNode schema, SchemaDocument doc, String hint) {
        if (schema.isBoolean()) {
            if (schema.asBoolean()) return rules.primitive("value");
            throw new Glm4jException("schema: 'false' matches nothing (at " + hint + ")");
        }
        if (!schema.isObject()) throw new Glm4jException("schema: expected an object or a boolean at " + hint + ", got " + schema);
        for (String k : UNSUPPORTED) {
            if (schema.has(k)) throw new Glm4jException("schema: '" + k + "' is not supported (at " + hint + ")");
        }
        if (schema.has("$ref") && SchemaDocument.constrainingKeys(schema).size() == 1) return ref(schema.get("$ref").asText(), doc);
        JsonNode s = doc.flatten(schema);
        if (s != schema) return visit(s, doc, hint);
        if (s.path("nullable").asBoolean(false)) {
            ObjectNode without = ((ObjectNode) s).deepCopy();
            without.remove("nullable");
            return rules.add(hint, visit(without, doc, hint) + " | " + rules.primitive("null"));
        }
        for (String union : List.of("anyOf", "oneOf")) {
            if (s.has(union)) return union(s, union, doc, hint);
        }
        if (s.has("const")) return Gbnf.literal(JsonText.of(s.get("const")));
        if (s.has("enum")) {
            if (!s.get("enum").isArray() || s.get("enum").isEmpty()) throw new Glm4jException("schema: 'enum' must be a non-empty array (at " + hint + ")");
            List<String> alts = new ArrayList<>();
            s.get("enum").forEach(v -> alts.add(Gbnf.literal(JsonText.of(v))));
            return rules.add(hint, alternatives(alts));
        }
        if (s.has("type")) {
            List<String> types = SchemaDocument.typeList(s.get("type"));
            if (types.isEmpty()) throw new Glm4jException("schema: 'type' is an empty list (at " + hint + ")");
            if (types.size() > 1) {
                List<String> alts = new ArrayList<>();
                for (String t : types) alts.add(typed(s, t, doc, hint + "-" + t));
                return rules.add(hint, alternatives(alts));
            }
            return typed(s, types.getFirst(), doc, hint);
        }
        return typed(s, inferType(s), doc, hint);
    }

    private String ref(String ref, SchemaDocument doc) {
        Map<String, String> known = refRules.computeIfAbsent(doc, d -> new HashMap<>());
        String name = known.get(ref);
        if (name != null) return name;
        name = rules.reserve(ref.equals("#") ? "root-schema" : ref.substring(ref.lastIndexOf('/') + 1));
        known.put(ref, name);
        rules.define(name, visit(doc.resolve(ref), doc, name));
        return name;
    }

    private String union(JsonNode s, String key, SchemaDocument doc, String hint) {
        JsonNode alts = s.get(key);
        if (!alts.isArray() || alts.isEmpty()) throw new Glm4jException("schema: '" + key + "' must be a non-empty array (at " + hint + ")");
        ObjectNode base = ((ObjectNode) s).deepCopy();
        base.remove(key);
        boolean plain = SchemaDocument.constrainingKeys(base).isEmpty();
        List<String> out = new ArrayList<>();
        int i = 0;
        for (JsonNode alt : alts) {
            JsonNode branch = plain ? alt : SchemaDocument.merge(base, alt.has("$ref") && alt.size() == 1 ? doc.resolve(alt.get("$ref").asText()) : alt);
            out.add(visit(branch, doc, hint + "-" + i++));
        }
        return rules.add(hint, alternatives(out));
    }

    private static String inferType(JsonNode s) {
        for (String k : List.of("properties", "additionalProperties", "required", "minProperties", "maxProperties")) if (s.has(k)) return "object";
        for (String k : List.of("items", "prefixItems", "minItems", "maxItems", "uniqueItems")) if (s.has(k)) return "array";
        for (String k : List.of("pattern", "minLength", "maxLength", "format")) if (s.has(k)) return "string";
        for (String k : List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) if (s.has(k)) return "number";
        return "any";
    }

    private String typed(JsonNode s, String type, SchemaDocument doc, String hint) {
        return switch (type) {
            case "any" -> rules.primitive("value");
            case "object" -> object(s, doc, hint);
            case "array" -> array(s, doc, hint);
            case "string" -> string(s, hint);
            case "integer", "number" -> number(s, type.equals("integer"), hint);
            case "boolean" -> rules.primitive("boolean");
            case "null" -> rules.primitive("null");
            default -> throw new Glm4jException("schema: unknown type '" + type + "' (at " + hint + ")");
        };
    }

    private String object(JsonNode s, SchemaDocument doc, String hint) {
        Map<String, JsonNode> props = new LinkedHashMap<>();
        s.path("properties").properties().forEach(e -> props.put(e.getKey(), e.getValue()));
        Set<String> required = new LinkedHashSet<>();
        s.path("required").forEach(r -> required.add(r.asText()));
        JsonNode ap = s.get("additionalProperties");
        for (String r : required) {
            if (props.containsKey(r)) continue;
            if (ap != null && ap.isBoolean() && !ap.asBoolean()) {
                throw new Glm4jException("schema: required property '" + r + "' is not in 'properties' and additionalProperties is false (at " + hint + ")");
            }
            props.put(r, ap == null || ap.isBoolean() ? JsonNodeFactory.instance.booleanNode(true) : ap);
        }
        boolean openByDefault = props.isEmpty();
        String additional = null;
        if (ap == null ? openByDefault : !(ap.isBoolean() && !ap.asBoolean())) {
            JsonNode apSchema = ap == null || ap.isBoolean() ? JsonNodeFactory.instance.booleanNode(true) : ap;
            String key = props.isEmpty() ? rules.primitive("string") : rules.add(hint + "-extra-key", otherKey(props.keySet()));
            additional = rules.add(hint + "-extra-kv", key + " " + rules.primitive("ws") + " \":\" " + rules.primitive("ws") + " "
                    + visit(apSchema, doc, hint + "-extra-value"));
        }
        List<String> kvs = new ArrayList<>();
        List<Boolean> must = new ArrayList<>();
        for (Map.Entry<String, JsonNode> p : props.entrySet()) {
            String value = visit(p.getValue(), doc, hint + "-" + p.getKey());
            kvs.add(rules.add(hint + "-" + p.getKey() + "-kv", Gbnf.literal(JsonText.of(JsonNodeFactory.instance.textNode(p.getKey())))
                    + " " + rules.primitive("ws") + " \":\" " + rules.primitive("ws") + " " + value));
            must.add(required.contains(p.getKey()));
        }
        int minProps = s.path("minProperties").asInt(0);
        long requiredCount = must.stream().filter(b -> b).count();
        if (minProps > requiredCount) throw new Glm4jException("schema: 'minProperties' above the number of required properties is not supported (at " + hint + ")");
        if (s.has("maxProperties") && (additional != null || props.size() > s.get("maxProperties").asInt())) {
            throw new Glm4jException("schema: 'maxProperties' below the number of possible properties is not supported (at " + hint + ")");
        }
        String ws = rules.primitive("ws");
        String members = members(kvs, must, additional, hint, 0, true, new TreeMap<>());
        return rules.add(hint, "\"{\" " + ws + " " + members + " " + ws + " \"}\"");
    }

    /** Members {@code i..} in order, optional ones skippable; {@code first}: no comma before the next one. */
    private String members(List<String> kvs, List<Boolean> must, String additional, String hint, int i, boolean first, Map<String, String> memo) {
        String key = i + (first ? "f" : "n");
        if (memo.containsKey(key)) return memo.get(key);
        String sep = first ? "" : rules.primitive("ws") + " \",\" " + rules.primitive("ws") + " ";
        String body;
        if (i == kvs.size()) {
            if (additional == null) {
                body = "\"\"";
            } else {
                String more = "( " + rules.primitive("ws") + " \",\" " + rules.primitive("ws") + " " + additional + " )*";
                body = "( " + sep + additional + " " + more + " )?";
            }
        } else {
            String take = sep + kvs.get(i) + " " + members(kvs, must, additional, hint, i + 1, false, memo);
            body = must.get(i) ? take : "( " + take + " ) | " + members(kvs, must, additional, hint, i + 1, first, memo);
        }
        String name = body.equals("\"\"") ? body : rules.add(hint + "-m" + key, body);
        memo.put(key, name);
        return name;
    }

    /** A JSON string key that is none of {@code keys} (spelled without escapes, so none can alias a listed key). */
    private String otherKey(Set<String> keys) {
        String plain = "[^\"\\\\\\x00-\\x1F\\x7F]";
        return "\"\\\"\" ( " + notPrefix(new ArrayList<>(keys), "", plain) + " ) \"\\\"\"";
    }

    private String notPrefix(List<String> keys, String prefix, String plain) {
        List<String> alts = new ArrayList<>();
        if (!keys.contains(prefix)) alts.add("\"\"");
        Map<Integer, List<String>> next = new TreeMap<>();
        for (String k : keys) {
            if (k.length() > prefix.length() && k.startsWith(prefix)) next.computeIfAbsent(k.codePointAt(prefix.length()), c -> new ArrayList<>()).add(k);
        }
        StringBuilder excluded = new StringBuilder();
        for (int cp : next.keySet()) excluded.append(escapeInClass(cp));
        alts.add(next.isEmpty() ? plain + "+" : "[^\"\\\\\\x00-\\x1F\\x7F" + excluded + "] " + plain + "*");
        for (Map.Entry<Integer, List<String>> e : next.entrySet()) {
            if (e.getKey() < 0x20 || e.getKey() == '"' || e.getKey() == '\\' || e.getKey() == 0x7F) continue; // never spelled plainly
            String p = prefix + Character.toString(e.getKey());
            alts.add(Gbnf.literal(Character.toString(e.getKey())) + " " + "( " + notPrefix(e.getValue(), p, plain) + " )");
        }
        return alternatives(alts);
    }

    private static String escapeInClass(int cp) {
        String c = Gbnf.charClass(CodePoints.single(cp));
        return c.substring(1, c.length() - 1);
    }

    private String array(JsonNode s, SchemaDocument doc, String hint) {
        if (s.path("uniqueItems").asBoolean(false) && s.path("maxItems").asInt(2) > 1) {
            throw new Glm4jException("schema: 'uniqueItems' is not supported (at " + hint + ")");
        }
        List<String> prefix = new ArrayList<>();
        JsonNode prefixItems = s.has("prefixItems") ? s.get("prefixItems") : s.path("items").isArray() ? s.get("items") : null;
        JsonNode rest = s.has("prefixItems") ? s.get("items") : s.path("items").isArray() ? s.get("additionalItems") : s.get("items");
        if (prefixItems != null) {
            int i = 0;
            for (JsonNode p : prefixItems) prefix.add(visit(p, doc, hint + "-" + i++));
        }
        String item = rest == null || !(rest.isBoolean() && !rest.asBoolean()) ? visit(rest == null ? JsonNodeFactory.instance.booleanNode(true) : rest, doc, hint + "-item") : null;
        int min = s.path("minItems").asInt(0);
        int max = s.has("maxItems") ? s.get("maxItems").asInt() : -1;
        if (item == null) max = max < 0 ? prefix.size() : Math.min(max, prefix.size());
        if (max >= 0 && min > max) throw new Glm4jException("schema: no array length fits minItems " + min + " and the other limits (at " + hint + ")");
        String ws = rules.primitive("ws");
        String sep = ws + " \",\" " + ws + " ";
        String body = items(prefix, item, min, max, 0, sep);
        return rules.add(hint, "\"[\" " + ws + " " + (body.isEmpty() ? "" : body + " " + ws + " ") + "\"]\"");
    }

    /** Items from index {@code i} on, {@code min..max} in all ({@code max} -1: no limit). */
    private String items(List<String> prefix, String item, int min, int max, int i, String sep) {
        if (max >= 0 && i >= max) return "";
        String lead = i == 0 ? "" : sep;
        if (i >= prefix.size()) {
            // Only the repeated item schema is left.
            int lo = Math.max(0, min - i), hi = max < 0 ? -1 : max - i;
            if (i == 0) {
                String more = hi == 1 ? "" : " ( " + sep + item + " )" + repeat(Math.max(0, lo - 1), hi < 0 ? -1 : hi - 1);
                String one = "( " + item + more + " )";
                return lo == 0 ? one + "?" : one;
            }
            return "( " + sep + item + " )" + repeat(lo, hi);
        }
        String tail = items(prefix, item, min, max, i + 1, sep);
        String take = "( " + lead + prefix.get(i) + (tail.isEmpty() ? "" : " " + tail) + " )";
        return i >= min ? take + "?" : take;
    }

    private static String repeat(int lo, int hi) {
        if (hi < 0) return lo == 0 ? "*" : lo == 1 ? "+" : "{" + lo + ",}";
        if (lo == 0 && hi == 1) return "?";
        return lo == hi ? "{" + lo + "}" : "{" + lo + "," + hi + "}";
    }

    private String string(JsonNode s, String hint) {
        String quote = "\"\\\"\"";
        if (s.has("pattern")) {
            if (s.has("minLength") || s.has("maxLength")) throw new Glm4jException("schema: 'pattern' together with 'minLength'/'maxLength' is not supported (at " + hint + ")");
            return rules.add(hint, quote + " " + PatternGrammar.toGbnf(s.get("pattern").asText(), PatternGrammar.Mode.JSON) + " " + quote);
        }
        String format = s.path("format").asText("");
        if (List.of("date", "time", "date-time", "uuid").contains(format)) return rules.add(hint, quote + " " + rules.primitive(format) + " " + quote);
        int min = s.path("minLength").asInt(0);
        int max = s.has("maxLength") ? s.get("maxLength").asInt() : -1;
        if (max >= 0 && min > max) throw new Glm4jException("schema: minLength " + min + " is above maxLength " + max + " (at " + hint + ")");
        if (min == 0 && max < 0) return rules.primitive("string");
        return rules.add(hint, quote + " " + rules.primitive("char") + repeat(min, max) + " " + quote);
    }

    private String number(JsonNode s, boolean integer, String hint) {
        Double lo = bound(s, "minimum", "exclusiveMinimum", true);
        Double hi = bound(s, "maximum", "exclusiveMaximum", false);
        if (lo == null && hi == null) return rules.primitive(integer ? "integer" : "number");
        Long a = lo == null ? null : (long) Math.ceil(lo), b = hi == null ? null : (long) Math.floor(hi);
        if (a != null && b != null && a > b) throw new Glm4jException("schema: no " + (integer ? "integer" : "number with an integer part") + " lies within the bounds (at " + hint + ")");
        if (integer) return rules.add(hint, IntegerRanges.of(a, b));
        // Numbers: x = ±(I + F); a bound on x is a bound on the integer part I, and the bound
        // itself only with a zero fraction.
        List<String> alts = new ArrayList<>();
        if (b == null || b >= 0) alts.add(magnitude(a == null ? 0 : Math.max(a, 0), b));
        if (a == null || a < 0) alts.add("\"-\" ( " + magnitude(b == null ? 0 : Math.max(0, -b), a == null ? null : -a) + " )");
        return rules.add(hint, alternatives(alts));
    }

    /** Non-negative numbers in {@code [lo, hi]} (hi null: unbounded), integer bounds. */
    private static String magnitude(long lo, Long hi) {
        String frac = "( \".\" [0-9]{1,16} )?";
        String zeros = "( \".\" \"0\"{1,16} )?";
        if (hi == null) return "( " + IntegerRanges.of(lo, null) + " ) " + frac;
        if (lo == hi) return "\"" + hi + "\" " + zeros;
        return "( " + IntegerRanges.of(lo, hi - 1) + " ) " + frac + " | \"" + hi + "\" " + zeros;
    }

    /** The inclusive bound a schema sets ({@code exclusive*} moved by one, draft-4 boolean form too). */
    private static Double bound(JsonNode s, String inclusive, String exclusive, boolean lower) {
        Double v = s.has(inclusive) ? s.get(inclusive).asDouble() : null;
        JsonNode ex = s.get(exclusive);
        if (ex != null && ex.isBoolean()) {
            if (ex.asBoolean() && v != null) v = lower ? Math.floor(v) + 1 : Math.ceil(v) - 1;
        } else if (ex != null && ex.isNumber()) {
            double e = lower ? Math.floor(ex.asDouble()) + 1 : Math.ceil(ex.asDouble()) - 1;
            v = v == null ? e : lower ? Math.max(v, e) : Math.min(v, e);
        }
        return v;
    }

    private static String alternatives(List<String> alts) {
        return alts.size() == 1 ? alts.getFirst() : String.join(" | ", alts.stream().map(a -> a.contains(" ") ? "( " + a + " )" : a).toList());
    }
}
