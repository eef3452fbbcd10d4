package io.glm4j.grammar.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Varied JSON schemas with instances that are valid and invalid for them (checked with Python's
 * jsonschema when written, and with networknt's validator here), shared by the grammar and the
 * structured-generation tests.
 */
public record SchemaCases(String name, JsonNode schema, List<String> valid, List<String> invalid) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    public static List<SchemaCases> all() {
        try (InputStream in = SchemaCases.class.getResourceAsStream("schemas.json")) {
            List<SchemaCases> out = new ArrayList<>();
            for (JsonNode c : JSON.readTree(in)) {
                List<String> valid = new ArrayList<>(), invalid = new ArrayList<>();
                c.get("valid").forEach(v -> valid.add(v.asText()));
                c.get("invalid").forEach(v -> invalid.add(v.asText()));
                out.add(new SchemaCases(c.get("name").asText(), c.get("schema"), valid, invalid));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The validator's complaints about {@code text} (not JSON at all: one complaint saying so). */
    public Set<String> problems(String text) {
        JsonNode instance;
        try {
            instance = JSON.readTree(text);
        } catch (IOException e) {
            return Set.of("not JSON: " + e.getMessage());
        }
        if (instance == null) return Set.of("empty");
        JsonSchema validator = FACTORY.getSchema(schema, CONFIG);
        Set<String> out = new java.util.TreeSet<>();
        for (ValidationMessage m : validator.validate(instance)) out.add(m.getMessage());
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
