package io.glm4j.server;

import io.glm4j.Glm4jException;
import io.glm4j.generate.FinishReason;
import io.glm4j.generate.GenerationRequest;
import io.glm4j.generate.Generator;
import io.glm4j.generate.TokenLogprob;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One request's generation as a sequence of events for the request's own thread. The engine
 * calls the listener on its single thread, which must never wait on a client's socket, so the
 * events are queued here and taken by the thread that writes the response.
 */
final class GenerationStream implements Generator.Listener {

    sealed interface Event permits Token, Text, Done {}

    record Token(int id, TokenLogprob logprob) implements Event {}

    record Text(String text) implements Event {}

    record Done(Generator.Result result) implements Event {}

    private record Failed(Throwable error) {}

    /** {@link Event}s, or a {@link Failed} at the end. */
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private Engine.Handle handle;
    private boolean done;

    private GenerationStream() {}

    /** Submits the request; refusals ({@code Busy}, a prompt that does not fit) are thrown here. */
    static GenerationStream submit(Engine engine, GenerationRequest request) {
        GenerationStream stream = new GenerationStream();
        stream.handle = engine.submit(request, stream);
        stream.handle.result().whenComplete((result, error) ->
                stream.events.add(error == null ? new Done(result) : new Failed(error)));
        return stream;
    }

    @Override
    public void onToken(int token, TokenLogprob logprob) {
        events.add(new Token(token, logprob));
    }

    @Override
    public void onText(String text) {
        events.add(new Text(text));
    }

    /**
     * The next event, waiting for it; the last one is {@link Done}.
     *
     * @throws Glm4jException if generation failed
     */
    Event next() throws InterruptedException {
        Object event = events.poll(1, TimeUnit.HOURS);
        if (event == null) throw new Glm4jException("generation stalled");
        return switch (event) {
            case Failed f -> {
                done = true;
                Throwable cause = f.error() instanceof CompletionException c && c.getCause() != null ? c.getCause() : f.error();
                throw cause instanceof Glm4jException g ? g : new IllegalStateException("generation failed", cause);
            }
            case Done d -> {
                done = true;
                yield d;
            }
            default -> (Event) event;
        };
    }

    /**
     * Stops generation if it is still running (the client went away) and waits for it to end.
     *
     * @return whether it was stopped before finishing on its own
     */
    boolean cancel() {
        if (done) return false;
        handle.cancel();
        try {
            return handle.result().join().finishReason() == FinishReason.CANCELLED;
        } catch (CompletionException e) {
            return false;
        }
    }
}
