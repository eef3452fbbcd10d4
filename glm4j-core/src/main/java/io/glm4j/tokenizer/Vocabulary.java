package io.glm4j.tokenizer;

import io.glm4j.Glm4jException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A tokenizer as a GGUF file stores it ({@code tokenizer.ggml.*}): the token strings (byte-level
 * spelled for BPE tokens, plain text for added tokens), their types, the merges in rank order,
 * the pre-tokenizer name and the ids with a role.
 *
 * @param model        {@code tokenizer.ggml.model}; {@code gpt2} for byte-level BPE
 * @param preTokenizer {@code tokenizer.ggml.pre}, e.g. {@code glm4}
 * @param merges       {@code "left right"} pairs, lowest rank first
 */
public record Vocabulary(String model, String preTokenizer, List<String> tokens, List<TokenType> tokenTypes,
        List<String> merges, SpecialTokenIds specialTokens) {

    public Vocabulary {
        tokens = List.copyOf(tokens);
        tokenTypes = List.copyOf(tokenTypes);
        merges = List.copyOf(merges);
        if (tokens.size() != tokenTypes.size()) {
            throw new Glm4jException("tokenizer has " + tokens.size() + " tokens but " + tokenTypes.size() + " token types");
        }
    }

    /**
     * Reads the {@code tokenizer.ggml.*} keys of GGUF metadata. Values are the reader's plain
     * Java forms: String, Integer/Long (any integer type), Boolean, int[]/long[] or List for arrays.
     */
    public static Vocabulary fromGgufMetadata(Map<String, ?> metadata) {
        String model = string(metadata, "tokenizer.ggml.model");
        String pre = metadata.containsKey("tokenizer.ggml.pre") ? string(metadata, "tokenizer.ggml.pre") : "default";
        List<String> tokens = strings(metadata, "tokenizer.ggml.tokens");
        List<TokenType> types = metadata.containsKey("tokenizer.ggml.token_type")
                ? ints(metadata, "tokenizer.ggml.token_type").stream().map(TokenType::fromGgufCode).toList()
                : Collections.nCopies(tokens.size(), TokenType.NORMAL);
        List<String> merges = metadata.containsKey("tokenizer.ggml.merges")
                ? strings(metadata, "tokenizer.ggml.merges") : List.of();
        SpecialTokenIds special = new SpecialTokenIds(
                id(metadata, "tokenizer.ggml.bos_token_id"),
                id(metadata, "tokenizer.ggml.eos_token_id"),
                id(metadata, "tokenizer.ggml.eot_token_id"),
                id(metadata, "tokenizer.ggml.eom_token_id"),
                id(metadata, "tokenizer.ggml.padding_token_id"),
                id(metadata, "tokenizer.ggml.unknown_token_id"));
        return new Vocabulary(model, pre, tokens, types, merges, special);
    }

    private static Object required(Map<String, ?> metadata, String key) {
        Object value = metadata.get(key);
        if (value == null) {
            throw new Glm4jException("model file has no " + key);
        }
        return value;
    }

    private static String string(Map<String, ?> metadata, String key) {
        if (required(metadata, key) instanceof String s) {
            return s;
        }
        throw new Glm4jException(key + " is not a string");
    }

    private static List<String> strings(Map<String, ?> metadata, String key) {
        if (required(metadata, key) instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw new Glm4jException(key + " is not an array of strings");
    }

    private static List<Integer> ints(Map<String, ?> metadata, String key) {
        List<Integer> out = new ArrayList<>();
        switch (required(metadata, key)) {
            case int[] array -> {
                for (int v : array) {
                    out.add(v);
                }
            }
            case long[] array -> {
                for (long v : array) {
                    out.add(Math.toIntExact(v));
                }
            }
            case List<?> list when list.stream().allMatch(Number.class::isInstance) ->
                    list.forEach(v -> out.add(((Number) v).intValue()));
            default -> throw new Glm4jException(key + " is not an array of integers");
        }
        return out;
    }

    private static OptionalInt id(Map<String, ?> metadata, String key) {
        return switch (metadata.get(key)) {
            case null -> OptionalInt.empty();
            case Number n -> OptionalInt.of(Math.toIntExact(n.longValue()));
            default -> throw new Glm4jException(key + " is not an integer");
        };
    }
}
