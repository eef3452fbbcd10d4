package io.glm4j.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The OpenAI-compatible HTTP API and the web chat page for one model, on Javalin with a virtual
 * thread per request. Requests wait on their own thread for the engine's events, so a slow
 * client never holds up the engine, and a client that goes away stops its generation.
 */
public final class OpenAiServer implements AutoCloseable {
    private final ServedModel model;
    private final ServerOptions options;
    private final ServerMetrics metrics;
    private final ChatCompletions chat;
    private final Completions completions;
    private final byte[] apiKeyHeader;
    private final Javalin app;

    private OpenAiServer(ServedModel model, Engine engine, ServerOptions options) {
        this.model = model;
        this.options = options;
        this.metrics = new ServerMetrics(engine);
        this.chat = new ChatCompletions(model, engine, metrics);
        this.completions = new Completions(model, engine, metrics);
        this.apiKeyHeader = options.apiKey() == null ? null : ("Bearer " + options.apiKey()).getBytes(StandardCharsets.UTF_8);
        this.app = Javalin.create(config -> {
            config.useVirtualThreads = true;
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.maxRequestSize = options.maxBodyBytes();
            config.http.disableCompression();
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/io/glm4j/server/web";
                files.location = Location.CLASSPATH;
            });
        });
        app.get("/health", ctx -> json(ctx, 200, OpenAiJson.object().put("status", "ok")));
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        app.get("/v1/models", ctx -> api(ctx, "/v1/models", false, body -> models()));
        app.get("/v1/models/{id}", ctx -> api(ctx, "/v1/models/{id}", false, body -> {
            if (!ctx.pathParam("id").equals(model.id())) throw unknownModel(ctx.pathParam("id"));
            return modelEntry();
        }));
        MemoryCalculator memory = new MemoryCalculator(model);
        app.get("/v1/glm4j/memory", ctx -> api(ctx, "/v1/glm4j/memory", false, body -> memory.estimate(ctx)));
        app.post("/v1/chat/completions", ctx -> api(ctx, "/v1/chat/completions", true, body -> {
            chat.handle(ctx, checkedModel(body));
            return null;
        }));
        app.post("/v1/completions", ctx -> api(ctx, "/v1/completions", true, body -> {
            completions.handle(ctx, checkedModel(body));
            return null;
        }));
        app.error(404, ctx -> {
            if (!"application/json".equals(ctx.contentType())) error(ctx, new ApiException(404, "invalid_request_error", null, "not_found",
                    "no route for " + ctx.method() + " " + ctx.path()));
        });
        app.exception(Exception.class, (e, ctx) -> error(ctx, ServerErrors.of(e)));
    }

    /** Starts serving; {@link #port()} tells the port when 0 was asked for. */
    public static OpenAiServer start(ServedModel model, Engine engine, ServerOptions options) {
        OpenAiServer server = new OpenAiServer(model, engine, options);
        server.app.start(options.host(), options.port());
        return server;
    }

    public int port() {
        return app.port();
    }

    /** The address clients use, e.g. {@code http://127.0.0.1:8080}. */
    public String url() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + host + ":" + port();
    }

    @Override
    public void close() {
        app.stop();
    }

    @FunctionalInterface
    private interface ApiHandler {
        /** Returns the JSON to answer with, or null when it wrote the response itself. */
        JsonNode handle(RequestFields body) throws Exception;
    }

    /** One API call: key check, body read and parsed, errors in OpenAI's shape, counted by status. */
    private void api(Context ctx, String endpoint, boolean hasBody, ApiHandler handler) {
        try {
            authorize(ctx);
            JsonNode reply = handler.handle(hasBody ? new RequestFields(readJson(ctx)) : null);
            if (reply != null) json(ctx, 200, reply);
        } catch (Exception e) {
            error(ctx, ServerErrors.of(e));
        } finally {
            metrics.request(endpoint, ctx.statusCode());
        }
    }

    private void authorize(Context ctx) {
        if (apiKeyHeader == null) return;
        String given = ctx.header("Authorization");
        if (given == null) {
            throw new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    "you didn't provide an API key: send it as 'Authorization: Bearer KEY'");
        }
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), apiKeyHeader)) {
            throw new ApiException(401, "invalid_request_error", null, "invalid_api_key", "incorrect API key provided");
        }
    }

    private JsonNode readJson(Context ctx) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > options.maxBodyBytes()) throw tooLarge();
        byte[] bytes;
        try (InputStream in = ctx.req().getInputStream()) {
            bytes = in.readNBytes(options.maxBodyBytes() + 1);
        }
        if (bytes.length > options.maxBodyBytes()) throw tooLarge();
        try {
            JsonNode body = OpenAiJson.MAPPER.readTree(bytes);
            if (body == null || !body.isObject()) throw ApiException.invalid(null, "the request body must be a JSON object");
            return body;
        } catch (JacksonException e) {
            throw new ApiException(400, "invalid_request_error", null, "invalid_json",
                    "the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private ApiException tooLarge() {
        return new ApiException(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than the limit of " + options.maxBodyBytes() + " bytes");
    }

    /** The {@code model} field, when present, must name the served model. */
    private RequestFields checkedModel(RequestFields body) {
        String asked = body.string("model", null);
        if (asked != null && !asked.equals(model.id())) throw unknownModel(asked);
        return body;
    }

    private ApiException unknownModel(String asked) {
        return new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "the model '" + asked + "' does not exist; this server serves '" + model.id() + "'");
    }

    private ObjectNode models() {
        ObjectNode list = OpenAiJson.object().put("object", "list");
        list.putArray("data").add(modelEntry());
        return list;
    }

    private ObjectNode modelEntry() {
        ObjectNode m = OpenAiJson.object();
        m.put("id", model.id());
        m.put("object", "model");
        m.put("created", model.created());
        m.put("owned_by", "glm4j");
        m.put("max_model_len", model.contextSize());
        return m;
    }

    private static void error(Context ctx, ApiException e) {
        if (e.status() == 503) ctx.header("Retry-After", "1");
        json(ctx, e.status(), e.body());
    }

    private static void json(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(OpenAiJson.write(body));
    }
}
