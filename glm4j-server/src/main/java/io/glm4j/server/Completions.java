package io.glm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.glm4j.generate.GenerationRequest;
import io.glm4j.generate.Generator;
import io.glm4j.generate.TokenLogprob;
import io.javalin.http.Context;
import java.time.Instant;

/**
 * {@code POST /v1/completions}: raw text continuation of a prompt given as text (special tokens
 * such as {@code <|user|>} recognised) or as token ids. One prompt per request.
 */
final class Completions {
    /** OpenAI's default for this endpoint. */
    private static final int DEFAULT_MAX_TOKENS = 16;

    private final ServedModel model;
    private final Engine engine;
    private final ServerMetrics metrics;

    Completions(ServedModel model, Engine engine, ServerMetrics metrics) {
        this.model = model;
        this.engine = engine;
        this.metrics = metrics;
    }

    void handle(Context ctx, RequestFields f) throws InterruptedException {
        int[] prompt = prompt(f);
        if (f.bool("echo", false)) throw ApiException.invalid("echo", "'echo' is not supported");
        if (f.has("suffix")) throw ApiException.invalid("suffix", "'suffix' is not supported");
        if (f.has("n") && f.integer("n", 1L, 1, 1) != 1) throw ApiException.invalid("n", "'n' must be 1");
        if (f.has("best_of") && f.integer("best_of", 1L, 1, 1) != 1) throw ApiException.invalid("best_of", "'best_of' must be 1");
        int logprobs = (int) (long) f.integer("logprobs", 0L, 0, 5);
        boolean wantLogprobs = f.has("logprobs");
        boolean stream = f.bool("stream", false);
        boolean includeUsage = false;
        JsonNode options = f.node("stream_options");
        if (options != null) {
            if (!stream || !options.isObject()) throw ApiException.invalid("stream_options", "'stream_options' must be an object, and only with 'stream': true");
            includeUsage = new RequestFields((ObjectNode) options, "stream_options").bool("include_usage", false);
        }
        int maxTokens = Math.min(SamplingFields.maxTokens(f, DEFAULT_MAX_TOKENS), model.contextSize() - prompt.length);
        GenerationRequest request = new GenerationRequest(prompt, SamplingFields.read(f, model.tokenizer().vocabularySize()),
                maxTokens, f.strings("stop", 16), f.bool("ignore_eos", false), wantLogprobs ? Math.max(1, logprobs) : 0,
                StructuredOutput.compile(StructuredOutput.fromFormatFields(f), model));
        GenerationStream generation = GenerationStream.submit(engine, request);
        Reply reply = new Reply(OpenAiJson.id("cmpl-"), Instant.now().getEpochSecond(), wantLogprobs ? new Logprobs(logprobs) : null, includeUsage);
        try {
            if (stream) stream(ctx, reply, generation);
            else respond(ctx, reply, generation);
        } finally {
            if (generation.cancel()) metrics.cancelled();
        }
    }

    private int[] prompt(RequestFields f) {
        JsonNode p = f.node("prompt");
        if (p == null) throw ApiException.missing("prompt");
        if (p.isArray() && p.size() == 1 && (p.get(0).isTextual() || p.get(0).isArray())) p = p.get(0);
        if (p.isTextual()) return Prompts.tokenize(model, p.asText(), "prompt");
        if (!p.isArray()) throw ApiException.invalid("prompt", "'prompt' must be a string or an array of token ids");
        int[] ids = new int[p.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = p.get(i);
            if (!id.isInt() || id.asInt() < 0 || id.asInt() >= model.tokenizer().vocabularySize()) {
                throw ApiException.invalid("prompt", "'prompt' must be one string or one array of token ids in [0, "
                        + model.tokenizer().vocabularySize() + "); batches of prompts are not supported");
            }
            ids[i] = id.asInt();
        }
        return Prompts.fitting(model, ids, "prompt");
    }

    private record Reply(String id, long created, Logprobs logprobs, boolean includeUsage) {}

    private void respond(Context ctx, Reply reply, GenerationStream generation) throws InterruptedException {
        while (true) {
            GenerationStream.Event event = generation.next();
            if (event instanceof GenerationStream.Token t && reply.logprobs != null) reply.logprobs.add(t.logprob());
            if (event instanceof GenerationStream.Done done) {
                Generator.Result result = done.result();
                ObjectNode body = choice(reply, "text_completion", result.text(), reply.logprobs == null ? null : reply.logprobs.take(),
                        OpenAiJson.finishReason(result.finishReason(), false));
                body.set("usage", OpenAiJson.usage(result, -1));
                ctx.json(body);
                return;
            }
        }
    }

    private void stream(Context ctx, Reply reply, GenerationStream generation) throws InterruptedException {
        SseWriter sse;
        try {
            sse = new SseWriter(ctx.res());
        } catch (SseWriter.ClientGone gone) {
            return;
        }
        try {
            while (true) {
                switch (generation.next()) {
                    case GenerationStream.Token t -> {
                        if (reply.logprobs != null) reply.logprobs.add(t.logprob());
                    }
                    case GenerationStream.Text t -> sse.send(chunk(reply, t.text(), null));
                    case GenerationStream.Done done -> {
                        Generator.Result result = done.result();
                        sse.send(chunk(reply, "", OpenAiJson.finishReason(result.finishReason(), false)));
                        if (reply.includeUsage) {
                            ObjectNode usage = OpenAiJson.head(reply.id, "text_completion", reply.created, model.id());
                            usage.putArray("choices");
                            usage.set("usage", OpenAiJson.usage(result, -1));
                            sse.send(usage);
                        }
                        sse.done();
                        return;
                    }
                }
            }
        } catch (RuntimeException e) {
            sse.sendQuietly(ServerErrors.of(e).body());
        } catch (SseWriter.ClientGone gone) {
            // handle() cancels the generation
        }
    }

    private ObjectNode chunk(Reply reply, String text, String finishReason) {
        ObjectNode chunk = choice(reply, "text_completion", text, reply.logprobs == null ? null : reply.logprobs.take(), finishReason);
        if (reply.includeUsage) chunk.putNull("usage");
        return chunk;
    }

    private ObjectNode choice(Reply reply, String object, String text, ObjectNode logprobs, String finishReason) {
        ObjectNode body = OpenAiJson.head(reply.id, object, reply.created, model.id());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.put("text", text);
        choice.set("logprobs", logprobs);
        choice.put("finish_reason", finishReason);
        return body;
    }

    /** Logprobs in the completions API's older shape: parallel arrays, alternatives as {text: logprob}. */
    private final class Logprobs {
        private final int top;
        private ArrayNode tokens, tokenLogprobs, topLogprobs, offsets;
        private int offset;

        Logprobs(int top) {
            this.top = top;
            reset();
        }

        void add(TokenLogprob lp) {
            String text = model.tokenizer().decodeToString(lp.token());
            tokens.add(text);
            tokenLogprobs.add(lp.logprob());
            ObjectNode alternatives = topLogprobs.addObject();
            for (int i = 0; i < Math.min(top, lp.top().size()); i++) {
                TokenLogprob.Alternative a = lp.top().get(i);
                alternatives.put(model.tokenizer().decodeToString(a.token()), a.logprob());
            }
            offsets.add(offset);
            offset += text.length();
        }

        /** The logprobs gathered since the last call. */
        ObjectNode take() {
            ObjectNode o = OpenAiJson.object();
            o.set("tokens", tokens);
            o.set("token_logprobs", tokenLogprobs);
            o.set("top_logprobs", topLogprobs);
            o.set("text_offset", offsets);
            reset();
            return o;
        }

        private void reset() {
            tokens = OpenAiJson.array();
            tokenLogprobs = OpenAiJson.array();
            topLogprobs = OpenAiJson.array();
            offsets = OpenAiJson.array();
        }
    }
}
