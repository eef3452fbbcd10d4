package io.glm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.generate.SamplingParams;
import java.util.HashMap;
import java.util.Map;

/**
 * The sampling fields OpenAI, vLLM and llama.cpp share, read from a request body. Fields left out
 * take GLM-4.5's recommended values (temperature 0.6, top_p 0.95), as vLLM does from the model's
 * generation config.
 */
final class SamplingFields {
    private SamplingFields() {}

    static SamplingParams read(RequestFields f, int vocabularySize) {
        SamplingParams d = SamplingParams.GLM45_DEFAULTS;
        long topK = f.integer("top_k", 0L, -1, Integer.MAX_VALUE);
        return d.withTemperature(f.number("temperature", d.temperature(), 0, false, 2))
                .withTopP(f.number("top_p", d.topP(), 0, true, 1))
                .withTopK(topK < 0 ? 0 : (int) topK)
                .withMinP(f.number("min_p", d.minP(), 0, false, 1))
                .withPenalties(
                        f.number("repetition_penalty", d.repetitionPenalty(), 0, true, Float.MAX_VALUE),
                        f.number("presence_penalty", d.presencePenalty(), -2, false, 2),
                        f.number("frequency_penalty", d.frequencyPenalty(), -2, false, 2),
                        d.penaltyLastN())
                .withLogitBias(logitBias(f, vocabularySize))
                .withSeed(f.integer("seed", null, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    /** {@code logit_bias}: token id (as a string key) to a bias in [-100, 100]. */
    private static Map<Integer, Float> logitBias(RequestFields f, int vocabularySize) {
        JsonNode v = f.node("logit_bias");
        if (v == null) return Map.of();
        if (!v.isObject()) throw ApiException.invalid("logit_bias", "'logit_bias' must map token ids to numbers");
        Map<Integer, Float> bias = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw ApiException.invalid("logit_bias", "'logit_bias' key '" + e.getKey() + "' is not a token id");
            }
            if (id < 0 || id >= vocabularySize) {
                throw ApiException.invalid("logit_bias", "'logit_bias' token id " + id + " is outside the vocabulary of " + vocabularySize);
            }
            JsonNode b = e.getValue();
            if (!b.isNumber() || !(Math.abs(b.asDouble()) <= 100)) {
                throw ApiException.invalid("logit_bias", "'logit_bias' values must be numbers in [-100, 100]");
            }
            bias.put(id, (float) b.asDouble());
        }
        return bias;
    }

    /** {@code max_completion_tokens} (or the older {@code max_tokens}), at least 1, or the fallback. */
    static int maxTokens(RequestFields f, int fallback) {
        String name = f.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        return (int) (long) f.integer(name, (long) fallback, 1, Integer.MAX_VALUE);
    }
}
