package io.glm4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Writes edited copies of a tokenizer.json, so both implementations can be run on settings no shipped file has. */
final class TokenizerJsonVariants {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerJsonVariants() {}

    /** A copy of {@code source} in {@code dir}/{@code name}/tokenizer.json after {@code edit}. */
    static Path write(Path source, Path dir, String name, Consumer<ObjectNode> edit) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(source.toFile());
            edit.accept(root);
            Path file = Files.createDirectories(dir.resolve(name)).resolve("tokenizer.json");
            JSON.writeValue(file.toFile(), root);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes the added tokens that {@code hidden} selects unmatchable (their content becomes text
     * no input contains) while keeping every id: Hugging Face then encodes their text as plain
     * text, which is what special parsing off means.
     */
    static Consumer<ObjectNode> hiding(Predicate<JsonNode> hidden) {
        return root -> {
            for (JsonNode token : root.path("added_tokens")) {
                if (hidden.test(token)) {
                    ((ObjectNode) token).put("content", "\uE000hidden" + token.path("id").asInt());
                }
            }
        };
    }

    /** HF's {@code encode_special_tokens}: tokens flagged special are not extracted. */
    static final Consumer<ObjectNode> SPECIAL_AS_TEXT = hiding(token -> token.path("special").asBoolean());

    /** llama.cpp's parse_special off: CONTROL tokens (special ones and any {@code <|...|>}) are not extracted. */
    static final Consumer<ObjectNode> CONTROL_AS_TEXT = hiding(token -> token.path("special").asBoolean()
            || token.path("content").asText().matches("<\\|.*\\|>"));

    static ObjectNode addedToken(ObjectNode root, String content) {
        for (JsonNode token : root.path("added_tokens")) {
            if (token.path("content").asText().equals(content)) {
                return (ObjectNode) token;
            }
        }
        throw new IllegalArgumentException("no added token " + content);
    }

    static ObjectNode node(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
