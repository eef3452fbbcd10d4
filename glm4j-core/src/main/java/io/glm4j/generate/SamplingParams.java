package io.glm4j.generate;

import io.glm4j.Glm4jException;
import java.util.Map;

/**
 * How the next token is drawn from the logits, with the knobs llama.cpp, vLLM and the OpenAI
 * API share. A temperature of 0 means greedy. Penalties look at the last {@code penaltyLastN}
 * tokens of prompt and output ({@code -1}: all of them).
 *
 * @param repetitionPenalty  divides positive / multiplies negative logits of seen tokens (1 = off)
 * @param presencePenalty    subtracted once from every seen token's logit (0 = off)
 * @param frequencyPenalty   subtracted per occurrence (0 = off)
 * @param logitBias          added to the given tokens' logits before anything else
 * @param seed               makes sampling reproducible; {@code null} draws a random seed
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        float repetitionPenalty,
        float presencePenalty,
        float frequencyPenalty,
        int penaltyLastN,
        Map<Integer, Float> logitBias,
        Long seed) {

    /** GLM-4.5's recommended defaults: temperature 0.6, top-p 0.95 (SPEC §7). */
    public static final SamplingParams GLM45_DEFAULTS = new SamplingParams(0.6f, 0, 0.95f, 0f, 1f, 0f, 0f, 64, Map.of(), null);

    public static final SamplingParams GREEDY = GLM45_DEFAULTS.withTemperature(0f);

    public SamplingParams {
        logitBias = Map.copyOf(logitBias);
        if (!(temperature >= 0) || Float.isInfinite(temperature)) throw new Glm4jException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new Glm4jException("top_k must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new Glm4jException("top_p must be in (0, 1], got " + topP);
        if (!(minP >= 0 && minP <= 1)) throw new Glm4jException("min_p must be in [0, 1], got " + minP);
        if (!(repetitionPenalty > 0)) throw new Glm4jException("repetition_penalty must be > 0, got " + repetitionPenalty);
        if (!(Math.abs(presencePenalty) <= 2)) throw new Glm4jException("presence_penalty must be in [-2, 2], got " + presencePenalty);
        if (!(Math.abs(frequencyPenalty) <= 2)) throw new Glm4jException("frequency_penalty must be in [-2, 2], got " + frequencyPenalty);
    }

    public boolean greedy() {
        return temperature == 0f;
    }

    public SamplingParams withTemperature(float t) {
        return new SamplingParams(t, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, penaltyLastN, logitBias, seed);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, k, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, penaltyLastN, logitBias, seed);
    }

    public SamplingParams withTopP(float p) {
        return new SamplingParams(temperature, topK, p, minP, repetitionPenalty, presencePenalty, frequencyPenalty, penaltyLastN, logitBias, seed);
    }

    public SamplingParams withMinP(float p) {
        return new SamplingParams(temperature, topK, topP, p, repetitionPenalty, presencePenalty, frequencyPenalty, penaltyLastN, logitBias, seed);
    }

    public SamplingParams withPenalties(float repetition, float presence, float frequency, int lastN) {
        return new SamplingParams(temperature, topK, topP, minP, repetition, presence, frequency, lastN, logitBias, seed);
    }

    public SamplingParams withLogitBias(Map<Integer, Float> bias) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, penaltyLastN, bias, seed);
    }

    public SamplingParams withSeed(Long s) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, penaltyLastN, logitBias, s);
    }
}
