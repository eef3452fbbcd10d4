package io.glm4j.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glm4j.Glm4jException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the JSON files of a checkpoint directory, with one-line errors. */
final class JsonFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonFiles() {}

    static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) throw new Glm4jException(file.getFileName() + " is missing from " + file.getParent());
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) throw new Glm4jException(file + " does not hold a JSON object");
            return root;
        } catch (JsonProcessingException e) {
            throw new Glm4jException(file + " is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new Glm4jException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file's object, or null if the file does not exist. */
    static JsonNode readIfPresent(Path file) {
        return Files.isRegularFile(file) ? read(file) : null;
    }
}
