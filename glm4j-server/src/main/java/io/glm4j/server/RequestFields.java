package io.glm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed access to the fields of a JSON request body. A field that is absent or null gives the
 * default; one of the wrong type or out of range is refused with a 400 naming it.
 */
final class RequestFields {
    private final ObjectNode body;
    private final String prefix;

    RequestFields(JsonNode body) {
        if (!(body instanceof ObjectNode object)) throw ApiException.invalid(null, "the request body must be a JSON object");
        this.body = object;
        this.prefix = "";
    }

    /** The fields of a nested object, named in errors as {@code at.field}. */
    RequestFields(ObjectNode body, String at) {
        this.body = body;
        this.prefix = at + ".";
    }

    ObjectNode body() {
        return body;
    }

    boolean has(String name) {
        JsonNode v = body.get(name);
        return v != null && !v.isNull();
    }

    JsonNode node(String name) {
        JsonNode v = body.get(name);
        return v == null || v.isNull() ? null : v;
    }

    String string(String name, String fallback) {
        JsonNode v = node(name);
        if (v == null) return fallback;
        if (!v.isTextual()) throw ApiException.invalid(prefix + name, "'" + prefix + name + "' must be a string");
        return v.asText();
    }

    boolean bool(String name, boolean fallback) {
        JsonNode v = node(name);
        if (v == null) return fallback;
        if (!v.isBoolean()) throw ApiException.invalid(prefix + name, "'" + prefix + name + "' must be a boolean");
        return v.asBoolean();
    }

    /** A number in [min, max]; {@code openMin} excludes min itself. */
    float number(String name, float fallback, double min, boolean openMin, double max) {
        JsonNode v = node(name);
        if (v == null) return fallback;
        if (!v.isNumber()) throw ApiException.invalid(prefix + name, "'" + prefix + name + "' must be a number");
        double d = v.asDouble();
        if (!(openMin ? d > min : d >= min) || !(d <= max)) {
            throw ApiException.invalid(prefix + name, "'" + prefix + name + "' must be in " + (openMin ? "(" : "[") + fmt(min) + ", " + fmt(max) + "], got " + v);
        }
        return (float) d;
    }

    /** An integer in [min, max], or the fallback when absent. */
    Long integer(String name, Long fallback, long min, long max) {
        JsonNode v = node(name);
        if (v == null) return fallback;
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw ApiException.invalid(prefix + name, "'" + prefix + name + "' must be an integer");
        long n = v.asLong();
        if (n < min || n > max) throw ApiException.invalid(prefix + name, "'" + prefix + name + "' must be in [" + min + ", " + max + "], got " + n);
        return n;
    }

    /** {@code stop}: one string or an array of strings. */
    List<String> strings(String name, int maxCount) {
        JsonNode v = node(name);
        if (v == null) return List.of();
        if (v.isTextual()) return List.of(v.asText());
        if (!v.isArray()) throw ApiException.invalid(prefix + name, "'" + prefix + name + "' must be a string or an array of strings");
        if (v.size() > maxCount) throw ApiException.invalid(prefix + name, "'" + prefix + name + "' may hold at most " + maxCount + " strings");
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            if (!s.isTextual()) throw ApiException.invalid(prefix + name, "'" + prefix + name + "' must be a string or an array of strings");
            if (!s.asText().isEmpty()) out.add(s.asText());
        }
        return out;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
