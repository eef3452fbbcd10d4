package io.glm4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** A plain HTTP client for checking the exact JSON and server-sent events the server writes. */
final class SseClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SseClient() {}

    record Reply(int status, HttpResponse<String> response, JsonNode json) {}

    static Reply post(String url, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                ? JSON.readTree(response.body()) : null;
        return new Reply(response.statusCode(), response, json);
    }

    static Reply get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                ? JSON.readTree(response.body()) : null;
        return new Reply(response.statusCode(), response, json);
    }

    /**
     * The events of a whole stream, checked to be well formed: {@code data: } lines each followed by
     * a blank line, every one JSON except the final {@code [DONE]}.
     */
    static List<JsonNode> events(Reply reply) throws IOException {
        assertThat(reply.status()).as(reply.response().body()).isEqualTo(200);
        assertThat(reply.response().headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        String body = reply.response().body();
        assertThat(body).endsWith("data: [DONE]\n\n");
        List<JsonNode> events = new ArrayList<>();
        for (String event : body.substring(0, body.length() - "data: [DONE]\n\n".length()).split("\n\n")) {
            assertThat(event).startsWith("data: ").doesNotContain("\n");
            events.add(JSON.readTree(event.substring("data: ".length())));
        }
        return events;
    }
}
