package io.glm4j.generate;

import io.glm4j.grammar.TokenConstraint;
import io.glm4j.tokenizer.StreamingDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One request's progress through decoding, independent of how its forward passes are batched:
 * sample from the latest logits (masked by the request's constraint, if any), decide whether to
 * stop, stream the released text.
 */
final class GenerationState {
    private final GenerationRequest request;
    private final Generator.Listener listener;
    private final Set<Integer> endOfGeneration;
    private final Sampler sampler;
    private final StreamingDecoder decoder;
    private final StopStrings stops;
    private final StringBuilder text = new StringBuilder();
    private final List<Integer> generated = new ArrayList<>();
    private final List<TokenLogprob> logprobs = new ArrayList<>();
    /** The request's constraint after the tokens generated so far (null: unconstrained). */
    private TokenConstraint constraint;
    private final boolean[] mask;
    private FinishReason finishReason;

    GenerationState(LoadedModel model, GenerationRequest request, Generator.Listener listener) {
        this.request = request;
        this.listener = listener;
        this.endOfGeneration = model.endOfGeneration();
        this.sampler = new Sampler(request.sampling());
        this.decoder = model.tokenizer().newStreamingDecoder();
        this.stops = new StopStrings(request.stop());
        this.constraint = request.constraint();
        this.mask = constraint != null ? new boolean[model.model().config().vocabSize()] : null;
        if (request.maxTokens() == 0) finishReason = FinishReason.LENGTH;
    }

    boolean finished() {
        return finishReason != null;
    }

    /**
     * Samples the next token from {@code logits} (given everything in the sequence so far) and
     * streams its text. Returns the token to feed back, or -1 when generation has ended.
     */
    int step(float[] logits, int[] history, boolean cancelled, boolean contextFull) {
        if (cancelled) return finish(FinishReason.CANCELLED);
        int token = sampler.sample(logits, history, history.length, allowed(constraint, request.maxTokens() - generated.size()));
        if (constraint != null) constraint = constraint.accept(token);
        TokenLogprob logprob = request.logprobs() > 0 ? TokenLogprob.of(logits, token, request.logprobs()) : null;
        if (!request.ignoreEos() && endOfGeneration.contains(token)) return finish(FinishReason.STOP);
        generated.add(token);
        if (logprob != null) logprobs.add(logprob);
        listener.onToken(token, logprob);
        emit(stops.accept(decoder.accept(token)));
        if (stops.stopped() || (constraint != null && constraint.complete())) return finish(FinishReason.STOP);
        if (generated.size() >= request.maxTokens()) return finish(FinishReason.LENGTH);
        if (contextFull) return finish(FinishReason.CONTEXT_FULL);
        return token;
    }

    /**
     * The token a greedy draft proposes from {@code logits}: the request's bias, penalties and
     * constraint apply. The last {@code drafted} tokens of {@code history} are earlier drafts of
     * this round, not yet generated: the constraint looks ahead through them.
     */
    int draft(float[] logits, int[] history, int drafted) {
        TokenConstraint ahead = constraint;
        for (int i = history.length - drafted; ahead != null && i < history.length; i++) {
            try {
                ahead = ahead.complete() ? null : ahead.accept(history[i]);
            } catch (IllegalArgumentException outsideTheGrammar) {
                ahead = null;
            }
            if (ahead == null) return sampler.mostLikely(logits, history, history.length, null); // rejected at verification anyway
        }
        boolean[] allowed = ahead == null || ahead.complete() ? null : allowed(ahead, request.maxTokens() - generated.size() - drafted);
        return sampler.mostLikely(logits, history, history.length, allowed);
    }

    /** The constraint's mask with {@code remaining} tokens left (this one included), or null without a constraint. */
    private boolean[] allowed(TokenConstraint c, int remaining) {
        if (c == null) return null;
        c.allowedTokens(mask, remaining);
        return mask;
    }

    /** Ends generation for a reason decided outside (e.g. cancellation while queued). */
    int finish(FinishReason reason) {
        if (finishReason == null) {
            finishReason = reason;
            emit(stops.accept(decoder.flush()) + stops.flush());
        }
        return -1;
    }

    private void emit(String released) {
        if (released.isEmpty()) return;
        text.append(released);
        listener.onText(released);
    }

    Generator.Result result(int reusedTokens, long prefillNanos, long decodeNanos, Generator.Speculation speculation) {
        return new Generator.Result(generated.stream().mapToInt(Integer::intValue).toArray(), text.toString(), finishReason,
                request.prompt().length, reusedTokens, prefillNanos, decodeNanos, List.copyOf(logprobs), speculation);
    }
}
