package io.glm4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.generate.LoadedModel;
import io.glm4j.generate.Scheduler;
import io.glm4j.model.KvCacheType;
import io.glm4j.model.synth.DemoModel;
import io.glm4j.tensor.WorkerPool;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Many clients at once on the real continuous-batching scheduler, and clients that leave early. */
class ConcurrencyTest {

    @Test
    void eightParallelStreamingClientsOnTheDemoModelAllGetCompleteWellFormedStreams() throws Exception {
        LoadedModel demo = LoadedModel.open(DemoModel.path(WorkerPool.shared()), WorkerPool.shared());
        Engine engine = Engine.of(new Scheduler(demo, 4, 256, KvCacheType.F16, 8));
        try (demo; TinyModel.Running server = new TinyModel.Running(engine, OpenAiServer.start(ServedModel.of(demo, 256), engine, ServerOptions.loopback(0)));
             ExecutorService clients = Executors.newFixedThreadPool(8)) {
            List<Future<List<JsonNode>>> streams = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String body = """
                        {"messages": [{"role": "user", "content": "Question number %d about free software"}],
                         "max_tokens": 24, "ignore_eos": true, "temperature": 0.7, "seed": %d, "stream": true,
                         "stream_options": {"include_usage": true}}""".formatted(i, i);
                streams.add(clients.submit(() -> SseClient.events(SseClient.post(server.url() + "/v1/chat/completions", body))));
            }

            for (Future<List<JsonNode>> stream : streams) {
                List<JsonNode> events = stream.get();
                assertThat(events.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
                assertThat(events).extracting(e -> e.path("id").asText()).containsOnly(events.getFirst().path("id").asText());
                List<JsonNode> finishes = events.stream().filter(e -> e.at("/choices/0/finish_reason").isTextual()).toList();
                assertThat(finishes).hasSize(1);
                assertThat(finishes.getFirst().at("/choices/0/finish_reason").asText()).isEqualTo("length");
                assertThat(events.getLast().at("/usage/completion_tokens").asInt()).isEqualTo(24);
            }
            assertThat(server.engine().stats().requests()).isEqualTo(8);
            assertThat(server.engine().stats().generatedTokens()).isEqualTo(8 * 24);
            assertThat(server.engine().stats().active()).isZero();
        }
    }

    @Test
    void aClientThatDisconnectsStopsItsGeneration() throws Exception {
        try (TinyModel.Running server = TinyModel.start(1, 4096, 4, ServerOptions.loopback(0))) {
            String body = """
                    {"messages": [{"role": "user", "content": "Tell me everything"}], "max_tokens": 4000, "ignore_eos": true, "stream": true}""";
            try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                int events = 0;
                for (String line; events < 5 && (line = in.readLine()) != null; ) if (line.contains("data: ")) events++;
                assertThat(events).isEqualTo(5);
                assertThat(server.engine().stats().active()).isEqualTo(1);
            }

            long deadline = System.nanoTime() + 20_000_000_000L;
            while (server.engine().stats().active() > 0 && System.nanoTime() < deadline) Thread.sleep(20);

            assertThat(server.engine().stats().active()).as("the slot is free again").isZero();
            assertThat(server.engine().stats().generatedTokens()).as("stopped long before max_tokens").isLessThan(4000);
            String metrics = SseClient.get(server.url() + "/metrics").response().body();
            assertThat(metric(metrics, "glm4j_requests_cancelled_total")).isEqualTo(1.0);
        }
    }

    @Test
    void theNextTurnOfAConversationReusesItsCachedPrompt() throws Exception {
        try (TinyModel.Running server = TinyModel.start(2, 512, 4, ServerOptions.loopback(0))) {
            String first = """
                    {"messages": [{"role": "system", "content": "You are a helpful assistant."},
                                  {"role": "user", "content": "What is free software?"}], "max_tokens": 4, "temperature": 0}""";
            JsonNode reply = SseClient.post(server.url() + "/v1/chat/completions", first).json();
            String answer = reply.at("/choices/0/message/content").asText();
            String second = """
                    {"messages": [{"role": "system", "content": "You are a helpful assistant."},
                                  {"role": "user", "content": "What is free software?"},
                                  {"role": "assistant", "content": %s},
                                  {"role": "user", "content": "Tell me more."}], "max_tokens": 4, "temperature": 0}"""
                    .formatted(SseClient.JSON.writeValueAsString(answer));

            JsonNode next = SseClient.post(server.url() + "/v1/chat/completions", second).json();

            int firstPrompt = reply.at("/usage/prompt_tokens").asInt();
            assertThat(reply.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
            assertThat(next.at("/usage/prompt_tokens_details/cached_tokens").asInt())
                    .as("the first turn's prompt is still in the slot's cache")
                    .isGreaterThanOrEqualTo(firstPrompt - 1)
                    .isLessThan(next.at("/usage/prompt_tokens").asInt());
        }
    }

    @Test
    void metricsShowRequestsTokensSpeedQueueAndCache() throws Exception {
        try (TinyModel.Running server = TinyModel.start(2, 256, 4, ServerOptions.loopback(0))) {
            SseClient.post(server.url() + "/v1/chat/completions", """
                    {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5, "ignore_eos": true}""");
            SseClient.post(server.url() + "/v1/chat/completions", "{");

            SseClient.Reply scrape = SseClient.get(server.url() + "/metrics");

            String text = scrape.response().body();
            assertThat(scrape.response().headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(metric(text, "glm4j_http_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"}")).isEqualTo(1.0);
            assertThat(metric(text, "glm4j_http_requests_total{endpoint=\"/v1/chat/completions\",status=\"400\"}")).isEqualTo(1.0);
            assertThat(metric(text, "glm4j_generated_tokens_total")).isEqualTo(5.0);
            assertThat(metric(text, "glm4j_prompt_tokens_total")).isGreaterThan(3.0);
            assertThat(metric(text, "glm4j_decode_tokens_per_second")).isGreaterThan(0.0);
            assertThat(metric(text, "glm4j_prefill_tokens_per_second")).isGreaterThan(0.0);
            assertThat(metric(text, "glm4j_queue_depth")).isZero();
            assertThat(metric(text, "glm4j_requests_active")).isZero();
            assertThat(metric(text, "glm4j_kv_cache_capacity_tokens")).isEqualTo(512.0);
            assertThat(metric(text, "glm4j_kv_cache_used_tokens")).isGreaterThan(5.0);
            assertThat(metric(text, "glm4j_kv_cache_usage_ratio")).isBetween(0.01, 1.0);
        }
    }

    @Test
    void speculativeDecodingReportsItsDraftsInUsageAndMetrics() throws Exception {
        Scheduler scheduler = new Scheduler(TinyModel.loaded(), 2, 256, KvCacheType.F16, 4, new Scheduler.Drafting(2, 0));
        try (TinyModel.Running server = TinyModel.start(Engine.of(scheduler), 256, ServerOptions.loopback(0))) {
            // Token 300 biased up so the NextN drafts (which honour the bias) are accepted.
            JsonNode reply = SseClient.post(server.url() + "/v1/chat/completions", """
                    {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 12, "ignore_eos": true,
                     "logit_bias": {"300": 100}}""").json();
            assertThat(reply.at("/usage/completion_tokens").asInt()).isEqualTo(12);
            assertThat(reply.at("/usage/speculation/drafted_tokens").asInt()).isPositive();
            assertThat(reply.at("/usage/speculation/acceptance_rate").asDouble()).isGreaterThan(0.5);
            assertThat(reply.at("/usage/speculation/mean_accepted_length").asDouble()).isGreaterThan(1.0);
            String metrics = SseClient.get(server.url() + "/metrics").response().body();
            assertThat(metric(metrics, "glm4j_speculation_drafted_tokens_total")).isEqualTo(reply.at("/usage/speculation/drafted_tokens").asDouble());
            assertThat(metric(metrics, "glm4j_speculation_acceptance_ratio")).isGreaterThan(0.5);
        }
    }

    private static double metric(String exposition, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + " (\\S+)$", Pattern.MULTILINE).matcher(exposition);
        if (!m.find()) throw new AssertionError(name + " not in\n" + exposition);
        return Double.parseDouble(m.group(1));
    }
}
