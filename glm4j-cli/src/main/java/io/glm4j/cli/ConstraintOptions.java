package io.glm4j.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glm4j.Glm4jException;
import io.glm4j.grammar.GrammarConstraint;
import io.glm4j.grammar.TokenConstraint;
import io.glm4j.grammar.schema.JsonSchemaGrammar;
import io.glm4j.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --grammar FILE} / {@code --json-schema FILE}: constrain the output (at most one of them). */
final class ConstraintOptions {
    @Option(names = "--grammar", paramLabel = "FILE", description = "Constrain the output to a GBNF grammar (llama.cpp syntax, start rule 'root').")
    Path grammar;

    @Option(names = "--json-schema", paramLabel = "FILE", description = "Constrain the output to JSON valid against this JSON schema.")
    Path jsonSchema;

    /** The constraint the options ask for, or null. */
    TokenConstraint constraint(Tokenizer tokenizer) {
        if (grammar != null && jsonSchema != null) throw new Glm4jException("give either --grammar or --json-schema, not both");
        if (grammar != null) return GrammarConstraint.of(read(grammar, "grammar"), tokenizer);
        if (jsonSchema == null) return null;
        try {
            return GrammarConstraint.of(JsonSchemaGrammar.of(new ObjectMapper().readTree(read(jsonSchema, "JSON schema"))), tokenizer);
        } catch (JacksonException e) {
            throw new Glm4jException("the JSON schema file " + jsonSchema + " is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new Glm4jException("cannot read the " + what + " file " + file + ": " + e.getMessage());
        }
    }
}
