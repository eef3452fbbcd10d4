package io.glm4j.generate;

import io.glm4j.Glm4jException;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCache;
import io.glm4j.model.KvCacheType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Continuous batching: up to {@code parallel} requests generate at once, each in its own slot
 * (a sequence of one shared KV cache); every decode step feeds the next token of all running
 * requests through the model in one batch, so they share one pass over the weights. New
 * requests join between steps; further ones wait in a bounded queue. A slot keeps its tokens
 * after a request ends, and a new request goes to the free slot whose cache shares the longest
 * prefix with its prompt, so a conversation's next turn reuses its cached prompt. With drafting
 * on, a request may decode speculatively with the NextN layer: its sampled token and drafts join
 * the shared batch, and the main model verifies them there ({@link SpeculativeStream}).
 */
public final class Scheduler implements AutoCloseable {
    private final LoadedModel model;
    private final KvCache cache;
    private final Session[] slots;
    private final Job[] running;
    private final BlockingQueue<Job> queue;
    private final Thread loop;
    private final Counters counters = new Counters();
    private final Drafting drafting;
    private final KvCache nextnCache;
    private volatile boolean closed;
    /** Reused by the scheduler thread step after step: the batch's logits, and each slot's last row. */
    private float[] batchLogits;
    private final float[][] stepLogits;

    /**
     * Speculative decoding settings for requests that ask for it.
     *
     * @param minAcceptance a request stops drafting once its acceptance rate stays below this
     */
    public record Drafting(int drafts, double minAcceptance) {}

    /**
     * @param parallel      requests generating at once
     * @param contextSize   tokens each slot holds (prompt + output)
     * @param queueCapacity requests that may wait for a slot; more are refused
     */
    public Scheduler(LoadedModel model, int parallel, int contextSize, KvCacheType kvType, int queueCapacity) {
        this(model, parallel, contextSize, kvType, queueCapacity, null);
    }

    /** @param drafting speculative decoding with the NextN layer, or null for none */
    public Scheduler(LoadedModel model, int parallel, int contextSize, KvCacheType kvType, int queueCapacity, Drafting drafting) {
        if (parallel < 1) throw new Glm4jException("--parallel must be at least 1");
        if (drafting != null) SpeculativeGenerator.requireDrafting(model, drafting.drafts());
        this.model = model;
        this.drafting = drafting;
        this.cache = model.model().newCache(kvType, contextSize, parallel);
        this.nextnCache = drafting != null ? model.model().newNextNCache(kvType, contextSize, parallel) : null;
        this.slots = new Session[parallel];
        for (int i = 0; i < parallel; i++) slots[i] = new Session(model.model(), cache, i);
        this.running = new Job[parallel];
        this.stepLogits = new float[parallel][];
        this.queue = new ArrayBlockingQueue<>(Math.max(1, queueCapacity));
        this.loop = Thread.ofPlatform().name("glm4j-scheduler").daemon().start(this::run);
    }

    /** A submitted request: its result, and a way to stop it. */
    public static final class Job {
        private final GenerationRequest request;
        private final GenerationState state;
        private final boolean speculate;
        private SpeculativeStream stream;
        private final CompletableFuture<Generator.Result> result = new CompletableFuture<>();
        private volatile boolean cancelled;
        private Session session;
        private int reused;
        private long started, prefilled;

        private Job(GenerationRequest request, GenerationState state, boolean speculate) {
            this.request = request;
            this.state = state;
            this.speculate = speculate;
        }

        public CompletableFuture<Generator.Result> result() {
            return result;
        }

        /** Stops the request at the next step (a client went away); its slot is freed. */
        public void cancel() {
            cancelled = true;
        }
    }

    /** Refused because every slot is busy and the queue is full; the client should retry later. */
    public static final class Busy extends Glm4jException {
        Busy(String message) {
            super(message);
        }
    }

    /**
     * Queues a request. The listener is called on the scheduler's thread as text is generated.
     *
     * @throws Glm4jException if the prompt cannot fit a slot's context
     * @throws Busy if the queue is full
     */
    public Job submit(GenerationRequest request, Generator.Listener listener) {
        return submit(request, listener, drafting != null);
    }

    /** As {@link #submit(GenerationRequest, Generator.Listener)}, choosing speculative decoding for this request. */
    public Job submit(GenerationRequest request, Generator.Listener listener, boolean speculate) {
        if (speculate && drafting == null) throw new Glm4jException("speculative decoding is not enabled on this server");
        if (closed) throw new Glm4jException("the server is shutting down");
        if (request.prompt().length == 0) throw new Glm4jException("the prompt is empty");
        if (request.prompt().length >= cache.capacity()) {
            throw new Glm4jException("the prompt has " + request.prompt().length + " tokens, more than the context of "
                    + cache.capacity() + " tokens leaves room for");
        }
        Job job = new Job(request, new GenerationState(model, request, listener), speculate);
        if (!queue.offer(job)) throw new Busy("all " + slots.length + " slots are busy and " + queue.size() + " requests are waiting");
        counters.requests.incrementAndGet();
        return job;
    }

    /** Numbers for /metrics. */
    /** @param draftedTokens, acceptedTokens speculative decoding: NextN drafts proposed and confirmed */
    public record Stats(int parallel, int active, int queued, long kvTokensUsed, long kvTokensCapacity,
                        long requests, long promptTokens, long generatedTokens, long prefillNanos, long decodeNanos,
                        long draftedTokens, long acceptedTokens) {}

    public Stats stats() {
        int active = 0;
        long used = 0;
        for (int i = 0; i < slots.length; i++) {
            if (running[i] != null) active++;
            used += slots[i].length();
        }
        return new Stats(slots.length, active, queue.size(), used, (long) cache.capacity() * slots.length,
                counters.requests.get(), counters.promptTokens.get(), counters.generatedTokens.get(),
                counters.prefillNanos.get(), counters.decodeNanos.get(), counters.drafted.get(), counters.accepted.get());
    }

    private static final class Counters {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong promptTokens = new AtomicLong();
        final AtomicLong generatedTokens = new AtomicLong();
        final AtomicLong prefillNanos = new AtomicLong();
        final AtomicLong decodeNanos = new AtomicLong();
        final AtomicLong drafted = new AtomicLong();
        final AtomicLong accepted = new AtomicLong();
    }

    private void run() {
        float[][] logits = new float[slots.length][];
        while (!closed) {
            try {
                admit(logits);
                if (!step(logits)) {
                    Job next = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (next != null) start(next, logits);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | Error e) {
                failAll(e); // a bug must not leave clients waiting forever
            }
        }
    }

    /** Moves queued requests into free slots, prefilling each. */
    private void admit(float[][] logits) {
        while (hasFreeSlot()) {
            Job job = queue.poll();
            if (job == null) return;
            start(job, logits);
        }
    }

    private boolean hasFreeSlot() {
        for (Job j : running) if (j == null) return true;
        return false;
    }

    private void start(Job job, float[][] logits) {
        if (job.cancelled) {
            job.state.finish(FinishReason.CANCELLED);
            job.result.complete(job.state.result(0, 0, 0, Generator.Speculation.NONE));
            return;
        }
        int slot = bestFreeSlot(job.request.prompt());
        job.session = slots[slot];
        job.started = System.nanoTime();
        try {
            if (job.speculate) {
                job.stream = new SpeculativeStream(model.model(), job.state, job.session, nextnCache, slot,
                        drafting.drafts(), drafting.minAcceptance());
                job.reused = job.stream.prefill(job.request.prompt(), job.cancelled);
            } else {
                Session.Prefill prefill = job.session.prefill(job.request.prompt());
                job.reused = prefill.reused();
                logits[slot] = prefill.logits();
            }
        } catch (RuntimeException e) {
            job.session.truncate(0);
            job.result.completeExceptionally(e);
            return;
        }
        job.prefilled = System.nanoTime();
        counters.promptTokens.addAndGet(job.request.prompt().length - job.reused);
        counters.prefillNanos.addAndGet(job.prefilled - job.started);
        running[slot] = job;
    }

    /** The free slot whose cached tokens share the longest prefix with the prompt. */
    private int bestFreeSlot(int[] prompt) {
        int best = -1, bestCommon = -1;
        for (int i = 0; i < slots.length; i++) {
            if (running[i] != null) continue;
            int common = slots[i].commonPrefix(prompt);
            if (common > bestCommon) {
                best = i;
                bestCommon = common;
            }
        }
        return best;
    }

    /** One decode step for every running request (a verification round for speculative ones); false when none is running. */
    private boolean step(float[][] logits) {
        List<Session> sessions = new ArrayList<>();
        List<Integer> slotOf = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        boolean any = false;
        for (int i = 0; i < slots.length; i++) {
            Job job = running[i];
            if (job == null) continue;
            any = true;
            Session s = job.session;
            int[] next;
            if (job.stream != null) {
                if (job.cancelled || closed) job.state.finish(FinishReason.CANCELLED);
                next = job.stream.finished() || job.state.finished() ? null : job.stream.tokensToVerify();
            } else {
                int token = job.state.step(logits[i], s.tokens(), job.cancelled || closed, s.length() >= s.contextSize());
                next = token < 0 ? null : new int[] {token};
            }
            if (next == null) {
                finish(i);
            } else {
                sessions.add(s);
                slotOf.add(i);
                tokens.add(next);
            }
        }
        if (sessions.isEmpty()) return any;
        long start = System.nanoTime();
        Session.Together out = Session.extendTogether(model.model(), cache, sessions, tokens, batchLogits);
        batchLogits = out.batch().logits();
        counters.decodeNanos.addAndGet(System.nanoTime() - start);
        for (int j = 0; j < sessions.size(); j++) {
            int slot = slotOf.get(j);
            Job job = running[slot];
            if (job.stream != null) job.stream.verified(out.of(j), job.cancelled || closed);
            else logits[slot] = stepLogits[slot] = out.lastLogits(j, stepLogits[slot]);
        }
        return true;
    }

    private void finish(int slot) {
        Job job = running[slot];
        running[slot] = null;
        Generator.Speculation speculation = job.stream != null ? job.stream.statistics() : Generator.Speculation.NONE;
        Generator.Result result = job.state.result(job.reused, job.prefilled - job.started, System.nanoTime() - job.prefilled, speculation);
        counters.generatedTokens.addAndGet(result.tokens().length);
        counters.drafted.addAndGet(speculation.drafted());
        counters.accepted.addAndGet(speculation.accepted());
        job.result.complete(result);
    }

    private void failAll(Throwable e) {
        for (int i = 0; i < running.length; i++) {
            if (running[i] != null) {
                running[i].result.completeExceptionally(e);
                slots[i].truncate(0);
                running[i] = null;
            }
        }
    }

    /** Stops accepting requests, ends running ones as cancelled and stops the loop. */
    @Override
    public void close() {
        closed = true;
        loop.interrupt();
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Job job; (job = queue.poll()) != null; ) job.result.completeExceptionally(new Glm4jException("the server is shutting down"));
        for (int i = 0; i < running.length; i++) {
            if (running[i] != null) {
                running[i].state.finish(FinishReason.CANCELLED);
                finish(i);
            }
        }
    }
}
