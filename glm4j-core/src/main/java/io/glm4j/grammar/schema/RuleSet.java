package io.glm4j.grammar.schema;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The GBNF rules of a grammar being written: names made from hints (unique, GBNF-safe), a rule
 * with the same body as an earlier one reuses it, and the JSON building blocks are added on first
 * use. {@link #reserve} names a rule before its body is known, for recursion.
 */
final class RuleSet {
    /**
     * JSON's pieces; no rule ends in whitespace, so a complete value ends generation at once.
     * Dates keep to days 01..28 and time offsets to under 18 hours, which every month and
     * Java's (and so common validators') offset range accept.
     */
    private static final Map<String, String> PRIMITIVES = Map.ofEntries(
            Map.entry("ws", "| \" \" | \"\\n\" [ \\t]{0,20}"),
            Map.entry("value", "object | array | string | number | boolean | null"),
            Map.entry("object", "\"{\" ws ( string ws \":\" ws value ( ws \",\" ws string ws \":\" ws value )* ws )? \"}\""),
            Map.entry("array", "\"[\" ws ( value ( ws \",\" ws value )* ws )? \"]\""),
            Map.entry("string", "\"\\\"\" char* \"\\\"\""),
            // One code point, raw or escaped; \\u escapes avoid surrogates so lengths count true characters.
            Map.entry("char", "[^\"\\\\\\x00-\\x1F\\x7F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" ( [0-9a-cA-CefEF] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2} ) )"),
            Map.entry("integer", "\"-\"? ( \"0\" | [1-9] [0-9]{0,15} )"),
            Map.entry("number", "\"-\"? ( \"0\" | [1-9] [0-9]{0,15} ) ( \".\" [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,2} )?"),
            Map.entry("boolean", "\"true\" | \"false\""),
            Map.entry("null", "\"null\""),
            Map.entry("date", "[0-9]{4} \"-\" ( \"0\" [1-9] | \"1\" [0-2] ) \"-\" ( \"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8] )"),
            Map.entry("time", "( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{1,6} )? ( \"Z\" | [+\\-] ( \"0\" [0-9] | \"1\" [0-7] ) \":\" [0-5] [0-9] )"),
            Map.entry("date-time", "date \"T\" time"),
            Map.entry("uuid", "[0-9a-f]{8} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{12}"));
    private static final Map<String, String[]> NEEDS = Map.of(
            "value", new String[] {"object", "array", "string", "number", "boolean", "null"},
            "object", new String[] {"ws", "string", "value"},
            "array", new String[] {"ws", "value"},
            "string", new String[] {"char"},
            "date-time", new String[] {"date", "time"});

    private final Map<String, String> rules = new LinkedHashMap<>();
    private final Map<String, String> byBody = new HashMap<>();

    /** The name of a JSON building block ({@code value}, {@code string}, {@code ws}, {@code date}, ...), added if new. */
    String primitive(String name) {
        String body = PRIMITIVES.get(name);
        if (body == null) throw new IllegalArgumentException(name);
        if (!rules.containsKey(name)) {
            rules.put(name, body);
            for (String dep : NEEDS.getOrDefault(name, new String[0])) primitive(dep);
        }
        return name;
    }

    /** Adds a rule (or finds one with the same body) and returns its name. */
    String add(String hint, String body) {
        String known = byBody.get(body);
        if (known != null) return known;
        String name = reserve(hint);
        define(name, body);
        return name;
    }

    /** A fresh rule name for a body given later with {@link #define}. */
    String reserve(String hint) {
        String base = hint.replaceAll("[^A-Za-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        if (base.isEmpty()) base = "rule";
        String name = base;
        for (int i = 2; rules.containsKey(name) || PRIMITIVES.containsKey(name) || name.equals("root"); i++) name = base + "-" + i;
        rules.put(name, null);
        return name;
    }

    void define(String name, String body) {
        rules.put(name, body);
        byBody.putIfAbsent(body, name);
    }

    /** The whole grammar, {@code root} first. */
    String toGbnf(String rootBody) {
        StringBuilder s = new StringBuilder("root ::= ").append(rootBody).append('\n');
        rules.forEach((name, body) -> s.append(name).append(" ::= ").append(body).append('\n'));
        return s.toString();
    }
}
