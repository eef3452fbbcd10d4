package io.glm4j.gguf;

import io.glm4j.Glm4jException;
import java.util.List;
import java.util.Map;

/** Typed access to GGUF metadata, with one clear error for a key that is missing or of the wrong type. */
public record Metadata(Map<String, Object> values, String fileName) {

    public boolean has(String key) {
        return values.containsKey(key);
    }

    private Object required(String key) {
        Object v = values.get(key);
        if (v == null) throw new Glm4jException(fileName + " lacks the metadata key '" + key + "'");
        return v;
    }

    public String string(String key) {
        Object v = required(key);
        if (v instanceof String s) return s;
        throw MetadataReader.wrongType(fileName, key, v, "a string");
    }

    public String string(String key, String fallback) {
        return has(key) ? string(key) : fallback;
    }

    public long integer(String key) {
        Object v = required(key);
        if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
        throw MetadataReader.wrongType(fileName, key, v, "an integer");
    }

    public long integer(String key, long fallback) {
        return has(key) ? integer(key) : fallback;
    }

    /** An integer that must lie in [min, max] to make sense (a count, a dimension). */
    public int intInRange(String key, int min, int max) {
        long v = integer(key);
        if (v < min || v > max) {
            throw new Glm4jException(fileName + ": metadata key '" + key + "' is " + v + ", expected " + min + ".." + max);
        }
        return (int) v;
    }

    public double real(String key) {
        Object v = required(key);
        if (v instanceof Number n) return n.doubleValue();
        throw MetadataReader.wrongType(fileName, key, v, "a number");
    }

    public double real(String key, double fallback) {
        return has(key) ? real(key) : fallback;
    }

    public boolean bool(String key, boolean fallback) {
        if (!has(key)) return fallback;
        Object v = values.get(key);
        if (v instanceof Boolean b) return b;
        throw MetadataReader.wrongType(fileName, key, v, "a boolean");
    }

    @SuppressWarnings("unchecked")
    public List<String> strings(String key) {
        Object v = required(key);
        if (v instanceof List<?> l && l.stream().allMatch(String.class::isInstance)) return (List<String>) l;
        throw MetadataReader.wrongType(fileName, key, v, "an array of strings");
    }

    public int[] ints(String key) {
        Object v = required(key);
        if (v instanceof int[] a) return a;
        throw MetadataReader.wrongType(fileName, key, v, "an array of integers");
    }
}
