package io.glm4j.generate;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The generation loop for one sequence: prefill the prompt (reusing the session's cached prefix),
 * then sample and feed back one token at a time until an end-of-generation id, a stop string, the
 * token limit, a full context or cancellation. Text is streamed through the listener as it
 * becomes final. ({@link Scheduler} runs the same steps for many sequences in shared batches.)
 */
public final class Generator implements TokenGenerator {
    private final LoadedModel model;

    public Generator(LoadedModel model) {
        this.model = model;
    }

    /** Receives the streamed text as it becomes final and, optionally, each generated token. */
    @FunctionalInterface
    public interface Listener {
        void onText(String text);

        /** Each sampled token with its logprobs (null unless requested), before its text. */
        default void onToken(int token, TokenLogprob logprob) {}
    }

    /** @param speculation draft statistics ({@link Speculation#NONE} without speculative decoding) */
    public record Result(
            int[] tokens, String text, FinishReason finishReason, int promptTokens, int reusedTokens,
            long prefillNanos, long decodeNanos, List<TokenLogprob> logprobs, Speculation speculation) {}

    /**
     * @param rounds   verification passes that carried drafts
     * @param drafted  tokens the NextN layer proposed
     * @param accepted proposed tokens the main model confirmed
     */
    public record Speculation(int rounds, int drafted, int accepted) {
        public static final Speculation NONE = new Speculation(0, 0, 0);

        /** Share of drafted tokens accepted (0 when nothing was drafted). */
        public double acceptanceRate() {
            return drafted == 0 ? 0 : accepted / (double) drafted;
        }

        /** Drafts accepted per verification pass that had drafts. */
        public double meanAcceptedLength() {
            return rounds == 0 ? 0 : accepted / (double) rounds;
        }
    }

    @Override
    public Result generate(Session session, GenerationRequest request, Listener listener, BooleanSupplier cancelled) {
        long start = System.nanoTime();
        GenerationState state = new GenerationState(model, request, listener);
        Session.Prefill prefill = session.prefill(request.prompt());
        long prefilled = System.nanoTime();
        float[] logits = prefill.logits();
        while (!state.finished()) {
            int token = state.step(logits, session.tokens(), cancelled.getAsBoolean(), session.length() >= session.contextSize());
            if (token >= 0) logits = session.append(token);
        }
        return state.result(prefill.reused(), prefilled - start, System.nanoTime() - prefilled, Speculation.NONE);
    }
}
