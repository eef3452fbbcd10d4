package io.glm4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.generate.GenerationRequest;
import io.glm4j.generate.SamplingParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every refusal: its status and OpenAI error body, and the server still answering afterwards. */
class ErrorResponsesTest {
    private static final String KEY = "sk-right";
    private static final int BODY_LIMIT = 64 * 1024;
    private static TinyModel.Running server;

    @BeforeAll
    static void start() {
        server = TinyModel.start(1, 256, 4, ServerOptions.loopback(0).withApiKey(KEY).withMaxBodyBytes(BODY_LIMIT));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void serverStillAnswers() throws Exception {
        SseClient.Reply ok = post("/v1/chat/completions", """
                {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}""");
        assertThat(ok.status()).as(ok.response().body()).isEqualTo(200);
        assertThat(ok.json().at("/usage/completion_tokens").asInt()).isEqualTo(1);
    }

    static Stream<Arguments> badChatRequests() {
        String user = "[{\"role\": \"user\", \"content\": \"hi\"}]";
        return Stream.of(
                bad("{\"messages\": [", 400, null, "invalid_json", "not valid JSON"),
                bad("[1, 2]", 400, null, null, "must be a JSON object"),
                bad("{}", 400, "messages", "missing_required_parameter", "'messages'"),
                bad("{\"messages\": []}", 400, "messages", "invalid_value", "at least one message"),
                bad("{\"messages\": \"hi\"}", 400, "messages", "invalid_value", "must be an array"),
                bad("{\"messages\": [\"hi\"]}", 400, "messages[0]", "invalid_value", "must be an object"),
                bad("{\"messages\": [{\"content\": \"hi\"}]}", 400, "messages[0].role", "missing_required_parameter", "role"),
                bad("{\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]}", 400, "messages[0].role", "invalid_value", "robot"),
                bad("{\"messages\": [{\"role\": \"user\", \"content\": 5}]}", 400, "messages[0].content", "invalid_value", "string or an array"),
                bad("{\"messages\": [{\"role\": \"user\"}]}", 400, "messages[0].content", "missing_required_parameter", "content"),
                bad("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}", 400, "messages[0].content[0]", "invalid_value", "text part"),
                bad("{\"model\": \"gpt-4o\", \"messages\": " + user + "}", 404, "model", "model_not_found", "'gpt-4o' does not exist"),
                bad("{\"messages\": [{\"role\": \"user\", \"content\": \"" + "free software ".repeat(300) + "\"}]}", 400, "messages", "context_length_exceeded", "context holds 256 tokens"),
                bad("{\"messages\": " + user + ", \"tools\": {}}", 400, "tools", "invalid_value", "must be an array"),
                bad("{\"messages\": " + user + ", \"tools\": [{\"type\": \"function\", \"function\": {\"description\": \"x\"}}]}", 400, "tools[0].function.name", "invalid_value", "name"),
                bad("{\"messages\": " + user + ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"a b\"}}]}", 400, "tools[0].function.name", "invalid_value", "letters"),
                bad("{\"messages\": " + user + ", \"tools\": [{\"type\": \"code\"}]}", 400, "tools[0].type", "invalid_value", "\"type\": \"function\""),
                bad("{\"messages\": " + user + ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": {\"type\": \"array\"}}}]}", 400, "tools[0].function.parameters.type", "invalid_value", "object"),
                bad("{\"messages\": " + user + ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": {\"type\": \"object\", \"properties\": {\"x\": 1}}}}]}", 400, "tools[0].function.parameters.properties.x", "invalid_value", "schema object"),
                bad("{\"messages\": " + user + ", \"tool_choice\": \"required\"}", 400, "tool_choice", "invalid_value", "has no 'tools'"),
                bad("{\"messages\": " + user + ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"g\"}}}", 400, "tool_choice", "invalid_value", "'g', which is not among the tools"),
                bad("{\"messages\": " + user + ", \"tool_choice\": \"always\"}", 400, "tool_choice", "invalid_value", "\"required\""),
                bad("{\"messages\": " + user + ", \"max_tokens\": -1}", 400, "max_tokens", "invalid_value", "got -1"),
                bad("{\"messages\": " + user + ", \"max_completion_tokens\": 0}", 400, "max_completion_tokens", "invalid_value", "got 0"),
                bad("{\"messages\": " + user + ", \"max_tokens\": \"ten\"}", 400, "max_tokens", "invalid_value", "must be an integer"),
                bad("{\"messages\": " + user + ", \"temperature\": -0.5}", 400, "temperature", "invalid_value", "[0, 2]"),
                bad("{\"messages\": " + user + ", \"temperature\": 2.5}", 400, "temperature", "invalid_value", "[0, 2]"),
                bad("{\"messages\": " + user + ", \"temperature\": \"hot\"}", 400, "temperature", "invalid_value", "must be a number"),
                bad("{\"messages\": " + user + ", \"top_p\": 0}", 400, "top_p", "invalid_value", "(0, 1]"),
                bad("{\"messages\": " + user + ", \"top_p\": 1.5}", 400, "top_p", "invalid_value", "(0, 1]"),
                bad("{\"messages\": " + user + ", \"top_k\": -2}", 400, "top_k", "invalid_value", "[-1,"),
                bad("{\"messages\": " + user + ", \"min_p\": 2}", 400, "min_p", "invalid_value", "[0, 1]"),
                bad("{\"messages\": " + user + ", \"presence_penalty\": 3}", 400, "presence_penalty", "invalid_value", "[-2, 2]"),
                bad("{\"messages\": " + user + ", \"frequency_penalty\": -3}", 400, "frequency_penalty", "invalid_value", "[-2, 2]"),
                bad("{\"messages\": " + user + ", \"repetition_penalty\": 0}", 400, "repetition_penalty", "invalid_value", "repetition_penalty"),
                bad("{\"messages\": " + user + ", \"n\": 2}", 400, "n", "invalid_value", "[1, 1]"),
                bad("{\"messages\": " + user + ", \"logprobs\": true, \"top_logprobs\": 25}", 400, "top_logprobs", "invalid_value", "[0, 20]"),
                bad("{\"messages\": " + user + ", \"top_logprobs\": 2}", 400, "top_logprobs", "invalid_value", "needs 'logprobs'"),
                bad("{\"messages\": " + user + ", \"logit_bias\": {\"99999\": 1}}", 400, "logit_bias", "invalid_value", "outside the vocabulary"),
                bad("{\"messages\": " + user + ", \"logit_bias\": {\"5\": 101}}", 400, "logit_bias", "invalid_value", "[-100, 100]"),
                bad("{\"messages\": " + user + ", \"stop\": 5}", 400, "stop", "invalid_value", "string or an array"),
                bad("{\"messages\": " + user + ", \"stream_options\": {\"include_usage\": true}}", 400, "stream_options", "invalid_value", "only allowed when 'stream'"),
                bad("{\"messages\": " + user + ", \"stream\": \"yes\"}", 400, "stream", "invalid_value", "must be a boolean"),
                bad("{\"messages\": " + user + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", \"schema\": {\"type\": \"object\", \"not\": {}}}}}", 400, "response_format.json_schema.schema", "invalid_value", "'not' is not supported"),
                bad("{\"messages\": " + user + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\"}}}", 400, "response_format.json_schema.schema", "missing_required_parameter", "schema"),
                bad("{\"messages\": " + user + ", \"response_format\": {\"type\": \"xml\"}}", 400, "response_format.type", "invalid_value", "json_schema"),
                bad("{\"messages\": " + user + ", \"grammar\": \"root ::= foo\"}", 400, "grammar", "invalid_value", "undefined rule 'foo'"),
                bad("{\"messages\": " + user + ", \"grammar\": \"root ::= \\\"a\\\"\", \"response_format\": {\"type\": \"json_object\"}}", 400, "grammar", "invalid_value", "give only one"),
                bad("{\"messages\": " + user + ", \"chat_template_kwargs\": {\"enable_thinking\": \"no\"}}", 400, "chat_template_kwargs.enable_thinking", "invalid_value", "boolean"));
    }

    private static Arguments bad(String body, int status, String param, String code, String message) {
        return Arguments.of(body, status, param, code, message);
    }

    @ParameterizedTest(name = "[{index}] {1} {2}")
    @MethodSource("badChatRequests")
    void refusesABadChatRequest(String body, int status, String param, String code, String message) throws Exception {
        SseClient.Reply reply = post("/v1/chat/completions", body);

        assertError(reply, status, param, code, message);
    }

    @Test
    void refusesBadCompletionRequests() throws Exception {
        assertError(post("/v1/completions", "{}"), 400, "prompt", "missing_required_parameter", "'prompt'");
        assertError(post("/v1/completions", "{\"prompt\": [1, 99999]}"), 400, "prompt", "invalid_value", "token ids in [0, 640)");
        assertError(post("/v1/completions", "{\"prompt\": [\"a\", \"b\"]}"), 400, "prompt", "invalid_value", "batches of prompts are not supported");
        assertError(post("/v1/completions", "{\"prompt\": \"" + "free software ".repeat(300) + "\"}"), 400, "prompt", "context_length_exceeded", "context");
        assertError(post("/v1/completions", "{\"prompt\": \"hi\", \"logprobs\": 6}"), 400, "logprobs", "invalid_value", "[0, 5]");
        assertError(post("/v1/completions", "{\"prompt\": \"hi\", \"json_schema\": {\"type\": \"wat\"}}"), 400, "json_schema", "invalid_value", "unknown type 'wat'");
        assertError(post("/v1/completions", "{\"prompt\": \"hi\", \"grammar\": \"root ::= [a-\"}"), 400, "grammar", "invalid_value", "unterminated character class");
        assertError(post("/v1/completions", "{\"prompt\": \"hi\", \"echo\": true}"), 400, "echo", "invalid_value", "not supported");
        assertError(post("/v1/completions", "{\"model\": \"other\", \"prompt\": \"hi\"}"), 404, "model", "model_not_found", "other");
    }

    @Test
    void refusesABodyOverTheLimit() throws Exception {
        String big = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "x".repeat(BODY_LIMIT) + "\"}]}";

        assertError(post("/v1/chat/completions", big), 413, null, "request_too_large", "larger than the limit of 65536 bytes");
    }

    @Test
    void refusesAMissingOrWrongApiKey() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        SseClient.Reply wrong = SseClient.post(server.url() + "/v1/chat/completions", body, "Authorization", "Bearer sk-wrong");
        SseClient.Reply models = SseClient.post(server.url() + "/v1/models", "", "Authorization", "Bearer sk-wrong");

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(SseClient.JSON.readTree(missing.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(SseClient.JSON.readTree(missing.body()).at("/error/message").asText()).contains("didn't provide an API key");
        assertError(wrong, 401, null, "invalid_api_key", "incorrect API key");
        assertThat(models.status()).isIn(401, 404, 405);
        assertThat(SseClient.get(server.url() + "/health").status()).as("health needs no key").isEqualTo(200);
    }

    @Test
    void answersUnknownRoutesWithAJsonError() throws Exception {
        SseClient.Reply reply = SseClient.get(server.url() + "/v1/embeddings");

        assertError(reply, 404, null, "not_found", "no route for GET /v1/embeddings");
    }

    @Test
    void refusesWith503AndRetryAfterWhenTheQueueIsFull() throws Exception {
        try (TinyModel.Running small = TinyModel.start(1, 4096, 1, ServerOptions.loopback(0))) {
            int[] prompt = TinyModel.loaded().tokenizer().encode("[gMASK]<sop>hello", true);
            GenerationRequest endless = new GenerationRequest(prompt, SamplingParams.GREEDY, 4000, List.of(), true, 0);
            Engine.Handle running = small.engine().submit(endless, text -> {});
            while (small.engine().stats().active() == 0) Thread.sleep(5);
            Engine.Handle waiting = small.engine().submit(endless, text -> {});
            try {
                SseClient.Reply busy = SseClient.post(small.url() + "/v1/chat/completions", """
                        {"messages": [{"role": "user", "content": "hi"}]}""");

                assertError(busy, 503, null, "server_busy", "retry later");
                assertThat(busy.response().headers().firstValue("Retry-After")).hasValue("1");
            } finally {
                running.cancel();
                waiting.cancel();
            }
        }
    }

    private static SseClient.Reply post(String path, String body) throws Exception {
        return SseClient.post(server.url() + path, body, "Authorization", "Bearer " + KEY);
    }

    private static void assertError(SseClient.Reply reply, int status, String param, String code, String message) {
        assertThat(reply.status()).as(reply.response().body()).isEqualTo(status);
        JsonNode error = reply.json().path("error");
        assertThat(error.path("message").asText()).contains(message);
        assertThat(error.path("type").asText()).isEqualTo(status >= 500 ? "server_error" : "invalid_request_error");
        assertThat(error.path("param").isNull() ? null : error.path("param").asText()).isEqualTo(param);
        assertThat(error.path("code").isNull() ? null : error.path("code").asText()).isEqualTo(code);
    }
}
