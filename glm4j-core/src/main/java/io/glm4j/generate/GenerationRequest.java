package io.glm4j.generate;

import io.glm4j.Glm4jException;
import java.util.List;

/**
 * What to generate after a prompt.
 *
 * @param maxTokens  most tokens to generate
 * @param stop       strings that end generation (not included in the text)
 * @param ignoreEos  keep going past the model's end-of-generation tokens
 * @param logprobs   how many top alternatives to report per token (0: no logprobs)
 */
public record GenerationRequest(int[] prompt, SamplingParams sampling, int maxTokens, List<String> stop, boolean ignoreEos, int logprobs) {
    public GenerationRequest {
        if (maxTokens < 0) throw new Glm4jException("max tokens must be >= 0, got " + maxTokens);
        if (logprobs < 0 || logprobs > 20) throw new Glm4jException("logprobs must be in 0..20, got " + logprobs);
        stop = List.copyOf(stop);
    }

    public static GenerationRequest of(int[] prompt, SamplingParams sampling, int maxTokens) {
        return new GenerationRequest(prompt, sampling, maxTokens, List.of(), false, 0);
    }
}
