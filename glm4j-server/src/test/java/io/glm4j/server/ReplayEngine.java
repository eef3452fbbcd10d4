package io.glm4j.server;

import io.glm4j.generate.FinishReason;
import io.glm4j.generate.GenerationRequest;
import io.glm4j.generate.Generator;
import io.glm4j.generate.Scheduler;
import io.glm4j.generate.TokenLogprob;
import io.glm4j.tokenizer.StreamingDecoder;
import io.glm4j.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An engine whose "model" writes a fixed token stream, so tests can choose exactly which ids
 * (think tags, tool-call tags, words) reach the server. Each id goes through the real tokenizer's
 * streaming decoder and the same listener calls the scheduler makes, on a thread of its own.
 */
final class ReplayEngine implements Engine {
    private final Tokenizer tokenizer;
    private final int[] tokens;
    private final long delayMillis;
    private final AtomicLong requests = new AtomicLong();
    private volatile GenerationRequest last;

    ReplayEngine(Tokenizer tokenizer, int[] tokens) {
        this(tokenizer, tokens, 0);
    }

    /** @param delayMillis pause before each token, so a client sees the reply arrive piece by piece */
    ReplayEngine(Tokenizer tokenizer, int[] tokens, long delayMillis) {
        this.tokenizer = tokenizer;
        this.tokens = tokens.clone();
        this.delayMillis = delayMillis;
    }

    /** The ids of the parts in order: an Integer is one id, a String is tokenized as plain text. */
    static int[] ids(Tokenizer tokenizer, Object... parts) {
        List<Integer> out = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof Integer id) out.add(id);
            else for (int id : tokenizer.encode((String) part, false)) out.add(id);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The last request submitted (its prompt ids and sampling settings). */
    GenerationRequest last() {
        return last;
    }

    @Override
    public Handle submit(GenerationRequest request, Generator.Listener listener) {
        last = request;
        requests.incrementAndGet();
        CompletableFuture<Generator.Result> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> result.complete(replay(request, listener)));
        return new Handle() {
            @Override
            public CompletableFuture<Generator.Result> result() {
                return result;
            }

            @Override
            public void cancel() {}
        };
    }

    private Generator.Result replay(GenerationRequest request, Generator.Listener listener) {
        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        StringBuilder text = new StringBuilder();
        List<TokenLogprob> logprobs = new ArrayList<>();
        int n = Math.min(tokens.length, request.maxTokens());
        for (int i = 0; i < n; i++) {
            pause();
            TokenLogprob lp = request.logprobs() > 0 ? new TokenLogprob(tokens[i], -0.25, List.of(new TokenLogprob.Alternative(tokens[i], -0.25))) : null;
            if (lp != null) logprobs.add(lp);
            listener.onToken(tokens[i], lp);
            String piece = decoder.accept(tokens[i]);
            if (!piece.isEmpty()) {
                text.append(piece);
                listener.onText(piece);
            }
        }
        String rest = decoder.flush();
        if (!rest.isEmpty()) {
            text.append(rest);
            listener.onText(rest);
        }
        FinishReason reason = n < tokens.length ? FinishReason.LENGTH : FinishReason.STOP;
        return new Generator.Result(Arrays.copyOf(tokens, n), text.toString(), reason, request.prompt().length, 0, 0, 0, logprobs, Generator.Speculation.NONE);
    }

    private void pause() {
        try {
            Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Scheduler.Stats stats() {
        return new Scheduler.Stats(1, 0, 0, 0, 0, requests.get(), 0, 0, 0, 0, 0, 0);
    }

    @Override
    public void close() {}
}
