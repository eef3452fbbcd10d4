package io.glm4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The web page's memory calculator endpoint on the tiny model (4 main layers, 2 KV heads of 64). */
class MemoryCalculatorTest {
    private static TinyModel.Running server;

    @BeforeAll
    static void start() {
        server = TinyModel.start(new ReplayEngine(TinyModel.loaded().tokenizer(), new int[0]), 2048, ServerOptions.loopback(0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void estimatesKvCacheFromTheModelShape() throws Exception {
        JsonNode f16 = SseClient.get(server.url() + "/v1/glm4j/memory?ctx=1000&parallel=3").json();
        JsonNode q8 = SseClient.get(server.url() + "/v1/glm4j/memory?ctx=1000&parallel=3&kv=q8_0").json();

        // 4 layers x (K + V) x 128 values x 2 bytes; Q8_0 stores 32 values in 34 bytes.
        assertThat(f16.path("kv_bytes_per_token").asLong()).isEqualTo(4 * 2 * 128 * 2);
        assertThat(f16.path("kv_bytes").asLong()).isEqualTo(4L * 2 * 128 * 2 * 1000 * 3);
        assertThat(q8.path("kv_bytes_per_token").asLong()).isEqualTo(4 * 2 * (128 / 32) * 34);
        assertThat(f16.path("total_bytes").asLong())
                .isEqualTo(f16.path("weights_bytes").asLong() + f16.path("kv_bytes").asLong() + f16.path("compute_bytes").asLong());
        long file = Files.size(TinyModel.FILE);
        assertThat(f16.path("weights_bytes").asLong()).isBetween(file * 9 / 10, file);
        assertThat(f16.path("max_context").asInt()).isEqualTo(4096);
    }

    @Test
    void defaultsToTheServedContextAndRefusesBadValues() throws Exception {
        JsonNode defaults = SseClient.get(server.url() + "/v1/glm4j/memory").json();
        SseClient.Reply tooLong = SseClient.get(server.url() + "/v1/glm4j/memory?ctx=5000");
        SseClient.Reply badKv = SseClient.get(server.url() + "/v1/glm4j/memory?kv=q4");

        assertThat(defaults.path("context").asInt()).isEqualTo(2048);
        assertThat(defaults.path("parallel").asInt()).isEqualTo(1);
        assertThat(defaults.path("kv_type").asText()).isEqualTo("f16");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().at("/error/param").asText()).isEqualTo("ctx");
        assertThat(badKv.status()).isEqualTo(400);
        assertThat(badKv.json().at("/error/param").asText()).isEqualTo("kv");
    }
}
