package io.glm4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.glm4j.generate.Generator;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;

/** {@code POST /v1/chat/completions}, streamed as server-sent events or answered whole. */
final class ChatCompletions {
    private final ServedModel model;
    private final Engine engine;
    private final ServerMetrics metrics;

    ChatCompletions(ServedModel model, Engine engine, ServerMetrics metrics) {
        this.model = model;
        this.engine = engine;
        this.metrics = metrics;
    }

    void handle(Context ctx, RequestFields fields) throws InterruptedException {
        ChatCompletionRequest request = ChatCompletionRequest.parse(fields, model);
        String prompt = Prompts.render(model, request.chat());
        int[] ids = Prompts.tokenize(model, prompt, "messages");
        TokenLogprobs logprobs = request.logprobs() ? new TokenLogprobs(model.tokenizer(), request.topLogprobs()) : null;
        ChatReply reply = new ChatReply(prompt, request, model.tokenizer(), logprobs);
        GenerationStream generation = GenerationStream.submit(engine, request.generation(ids, prompt, model));
        Turn turn = new Turn(OpenAiJson.id("chatcmpl-"), Instant.now().getEpochSecond(), request, reply, generation);
        try {
            if (request.stream()) stream(ctx, turn);
            else respond(ctx, turn);
        } finally {
            if (generation.cancel()) metrics.cancelled();
        }
    }

    private record Turn(String id, long created, ChatCompletionRequest request, ChatReply reply, GenerationStream generation) {}

    private void respond(Context ctx, Turn turn) throws InterruptedException {
        Generator.Result result;
        while (true) {
            GenerationStream.Event event = turn.generation.next();
            if (event instanceof GenerationStream.Done done) {
                result = done.result();
                break;
            }
            accept(turn.reply, event);
        }
        turn.reply.finish();
        ObjectNode body = OpenAiJson.head(turn.id, "chat.completion", turn.created, model.id());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("message", turn.reply.message());
        if (turn.request.logprobs()) choice.putObject("logprobs").set("content", turn.reply.allLogprobs());
        else choice.putNull("logprobs");
        choice.put("finish_reason", OpenAiJson.finishReason(result.finishReason(), turn.reply.hasToolCalls()));
        body.set("usage", OpenAiJson.usage(result, turn.reply.reasoningTokens()));
        ctx.json(body);
    }

    private void stream(Context ctx, Turn turn) throws InterruptedException {
        SseWriter sse;
        try {
            sse = new SseWriter(ctx.res());
        } catch (SseWriter.ClientGone gone) {
            return;
        }
        try {
            ObjectNode opening = OpenAiJson.object().put("role", "assistant").put("content", "");
            sse.send(chunk(turn, opening, null, null));
            while (true) {
                GenerationStream.Event event = turn.generation.next();
                if (event instanceof GenerationStream.Done done) {
                    send(sse, turn, turn.reply.finish());
                    Generator.Result result = done.result();
                                String reason = OpenAiJson.finishReason(result.finishReason(), turn.reply.hasToolCalls());
                    sse.send(chunk(turn, OpenAiJson.object(), turn.reply.takeLogprobs(), reason));
                    if (turn.request.includeUsage()) {
                        ObjectNode usage = OpenAiJson.head(turn.id, "chat.completion.chunk", turn.created, model.id());
                        usage.putArray("choices");
                        usage.set("usage", OpenAiJson.usage(result, turn.reply.reasoningTokens()));
                        sse.send(usage);
                    }
                    sse.done();
                    return;
                }
                if (event instanceof GenerationStream.Text text) send(sse, turn, turn.reply.onText(text.text()));
                else accept(turn.reply, event);
            }
        } catch (RuntimeException e) {
            // The stream has begun, so the status is sent: the error goes as the last event.
            sse.sendQuietly(ServerErrors.of(e).body());
        } catch (SseWriter.ClientGone gone) {
            // the finally block of handle() cancels the generation
        }
    }

    private static void accept(ChatReply reply, GenerationStream.Event event) {
        switch (event) {
            case GenerationStream.Token t -> reply.onToken(t.id(), t.logprob());
            case GenerationStream.Text t -> reply.onText(t.text());
            case GenerationStream.Done d -> { }
        }
    }

    private void send(SseWriter sse, Turn turn, List<ObjectNode> deltas) throws SseWriter.ClientGone {
        for (ObjectNode delta : deltas) sse.send(chunk(turn, delta, turn.reply.takeLogprobs(), null));
    }

    private ObjectNode chunk(Turn turn, ObjectNode delta, ArrayNode logprobs, String finishReason) {
        ObjectNode chunk = OpenAiJson.head(turn.id, "chat.completion.chunk", turn.created, model.id());
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        if (turn.request.logprobs() && logprobs != null) choice.putObject("logprobs").set("content", logprobs);
        else choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        if (turn.request.includeUsage()) chunk.putNull("usage");
        return chunk;
    }
}
