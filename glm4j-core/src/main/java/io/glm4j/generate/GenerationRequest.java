package io.glm4j.generate;

import io.glm4j.Glm4jException;
import io.glm4j.grammar.TokenConstraint;
import java.util.List;

/**
 * What to generate after a prompt.
 *
 * @param maxTokens  most tokens to generate
 * @param stop       strings that end generation (not included in the text)
 * @param ignoreEos  keep going past the model's end-of-generation tokens
 * @param logprobs   how many top alternatives to report per token (0: no logprobs)
 * @param constraint which tokens may be generated (a grammar, a JSON schema), or null for any;
 *                   generation stops once it is complete
 */
public record GenerationRequest(int[] prompt, SamplingParams sampling, int maxTokens, List<String> stop, boolean ignoreEos, int logprobs,
                                TokenConstraint constraint) {
    public GenerationRequest {
        if (maxTokens < 0) throw new Glm4jException("max tokens must be >= 0, got " + maxTokens);
        if (logprobs < 0 || logprobs > 20) throw new Glm4jException("logprobs must be in 0..20, got " + logprobs);
        stop = List.copyOf(stop);
    }

    public GenerationRequest(int[] prompt, SamplingParams sampling, int maxTokens, List<String> stop, boolean ignoreEos, int logprobs) {
        this(prompt, sampling, maxTokens, stop, ignoreEos, logprobs, null);
    }

    public GenerationRequest withConstraint(TokenConstraint c) {
        return new GenerationRequest(prompt, sampling, maxTokens, stop, ignoreEos, logprobs, c);
    }

    public static GenerationRequest of(int[] prompt, SamplingParams sampling, int maxTokens) {
        return new GenerationRequest(prompt, sampling, maxTokens, List.of(), false, 0);
    }
}
