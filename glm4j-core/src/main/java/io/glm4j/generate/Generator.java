package io.glm4j.generate;

import io.glm4j.tokenizer.StreamingDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The generation loop: prefill the prompt (reusing the session's cached prefix), then sample and
 * feed back one token at a time until an end-of-generation id, a stop string, the token limit,
 * a full context or cancellation. Text is streamed through the listener as it becomes final.
 */
public final class Generator {
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

    public record Result(
            int[] tokens, String text, FinishReason finishReason, int promptTokens, int reusedTokens,
            long prefillNanos, long decodeNanos, List<TokenLogprob> logprobs) {}

    public Result generate(Session session, GenerationRequest request, Listener listener, BooleanSupplier cancelled) {
        long start = System.nanoTime();
        Session.Prefill prefill = session.prefill(request.prompt());
        long prefilled = System.nanoTime();
        Sampler sampler = new Sampler(request.sampling());
        StreamingDecoder decoder = model.tokenizer().newStreamingDecoder();
        StopStrings stops = new StopStrings(request.stop());
        StringBuilder text = new StringBuilder();
        List<Integer> generated = new ArrayList<>();
        List<TokenLogprob> logprobs = new ArrayList<>();
        float[] logits = prefill.logits();
        FinishReason reason = FinishReason.LENGTH;
        while (generated.size() < request.maxTokens()) {
            if (cancelled.getAsBoolean()) {
                reason = FinishReason.CANCELLED;
                break;
            }
            int[] history = session.tokens();
            int token = sampler.sample(logits, history, history.length, null);
            TokenLogprob logprob = request.logprobs() > 0 ? TokenLogprob.of(logits, token, request.logprobs()) : null;
            if (!request.ignoreEos() && model.endOfGeneration().contains(token)) {
                reason = FinishReason.STOP;
                break;
            }
            generated.add(token);
            if (logprob != null) logprobs.add(logprob);
            listener.onToken(token, logprob);
            String released = stops.accept(decoder.accept(token));
            text.append(released);
            if (!released.isEmpty()) listener.onText(released);
            if (stops.stopped()) {
                reason = FinishReason.STOP;
                break;
            }
            if (generated.size() == request.maxTokens()) break;
            if (session.length() >= session.contextSize()) {
                reason = FinishReason.CONTEXT_FULL;
                break;
            }
            logits = session.append(token);
        }
        String rest = stops.accept(decoder.flush()) + stops.flush();
        if (!rest.isEmpty()) {
            text.append(rest);
            listener.onText(rest);
        }
        long end = System.nanoTime();
        return new Result(generated.stream().mapToInt(Integer::intValue).toArray(), text.toString(), reason,
                request.prompt().length, prefill.reused(), prefilled - start, end - prefilled, List.copyOf(logprobs));
    }
}
