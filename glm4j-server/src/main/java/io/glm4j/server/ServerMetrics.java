package io.glm4j.server;

import io.glm4j.generate.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The numbers {@code GET /metrics} shows in Prometheus' text format: HTTP requests by endpoint
 * and status, tokens in and out, prefill and decode speed, queue depth, running requests and KV
 * cache use (read from the engine at each scrape), and generations stopped because the client left.
 */
final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter cancelled;

    ServerMetrics(Engine engine) {
        cancelled = Counter.builder("glm4j.requests.cancelled").description("Generations stopped because the client went away").register(registry);
        counter(engine, "glm4j.prompt.tokens", "Prompt tokens evaluated (cached prefixes not counted)", s -> s.promptTokens());
        counter(engine, "glm4j.generated.tokens", "Tokens generated", s -> s.generatedTokens());
        counter(engine, "glm4j.prefill.seconds", "Time spent evaluating prompts", s -> s.prefillNanos() / 1e9);
        counter(engine, "glm4j.decode.seconds", "Time spent in decode steps (shared by the requests batched in them)", s -> s.decodeNanos() / 1e9);
        counter(engine, "glm4j.generation.requests", "Requests accepted by the scheduler", s -> s.requests());
        gauge(engine, "glm4j.prefill.tokens.per.second", "Prompt tokens per second of prefill, since start",
                s -> s.prefillNanos() == 0 ? 0 : s.promptTokens() / (s.prefillNanos() / 1e9));
        gauge(engine, "glm4j.decode.tokens.per.second", "Generated tokens per second of decoding (all sequences together), since start",
                s -> s.decodeNanos() == 0 ? 0 : s.generatedTokens() / (s.decodeNanos() / 1e9));
        counter(engine, "glm4j.speculation.drafted.tokens", "Tokens the NextN (MTP) layer drafted", s -> s.draftedTokens());
        counter(engine, "glm4j.speculation.accepted.tokens", "Drafted tokens the main model confirmed", s -> s.acceptedTokens());
        gauge(engine, "glm4j.speculation.acceptance.ratio", "Share of drafted tokens accepted, since start",
                s -> s.draftedTokens() == 0 ? 0 : (double) s.acceptedTokens() / s.draftedTokens());
        gauge(engine, "glm4j.queue.depth", "Requests waiting for a slot", s -> s.queued());
        gauge(engine, "glm4j.requests.active", "Requests generating now", s -> s.active());
        gauge(engine, "glm4j.slots", "Requests that can generate at once (--parallel)", s -> s.parallel());
        gauge(engine, "glm4j.kv.cache.used.tokens", "Tokens held in the KV cache over all slots", s -> s.kvTokensUsed());
        gauge(engine, "glm4j.kv.cache.capacity.tokens", "Tokens the KV cache can hold over all slots", s -> s.kvTokensCapacity());
        gauge(engine, "glm4j.kv.cache.usage.ratio", "Share of the KV cache in use",
                s -> s.kvTokensCapacity() == 0 ? 0 : (double) s.kvTokensUsed() / s.kvTokensCapacity());
    }

    private void counter(Engine engine, String name, String help, ToDoubleFunction<Scheduler.Stats> f) {
        FunctionCounter.builder(name, engine, e -> f.applyAsDouble(e.stats())).description(help).register(registry);
    }

    private void gauge(Engine engine, String name, String help, ToDoubleFunction<Scheduler.Stats> f) {
        Gauge.builder(name, engine, e -> f.applyAsDouble(e.stats())).description(help).register(registry);
    }

    void request(String endpoint, int status) {
        Counter.builder("glm4j.http.requests").description("HTTP requests served")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status)).register(registry).increment();
    }

    void cancelled() {
        cancelled.increment();
    }

    String scrape() {
        return registry.scrape();
    }
}
