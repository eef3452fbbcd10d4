package io.glm4j.server;

import io.glm4j.generate.GenerationRequest;
import io.glm4j.generate.Generator;
import io.glm4j.generate.Scheduler;
import java.util.concurrent.CompletableFuture;

/**
 * What the server generates with: the continuous-batching {@link Scheduler} in production
 * ({@link #of}); tests may replay fixed token streams through the same listener calls.
 */
public interface Engine extends AutoCloseable {

    /**
     * Queues a request; the listener is called on the engine's own thread and must not block.
     *
     * @throws io.glm4j.Glm4jException if the request cannot be served (e.g. the prompt does not fit)
     * @throws Scheduler.Busy if every slot is busy and the queue is full
     */
    Handle submit(GenerationRequest request, Generator.Listener listener);

    Scheduler.Stats stats();

    @Override
    void close();

    /** A submitted request. */
    interface Handle {
        CompletableFuture<Generator.Result> result();

        /** Stops generation at the next step; the result then completes as cancelled. */
        void cancel();
    }

    static Engine of(Scheduler scheduler) {
        return new Engine() {
            @Override
            public Handle submit(GenerationRequest request, Generator.Listener listener) {
                Scheduler.Job job = scheduler.submit(request, listener);
                return new Handle() {
                    @Override
                    public CompletableFuture<Generator.Result> result() {
                        return job.result();
                    }

                    @Override
                    public void cancel() {
                        job.cancel();
                    }
                };
            }

            @Override
            public Scheduler.Stats stats() {
                return scheduler.stats();
            }

            @Override
            public void close() {
                scheduler.close();
            }
        };
    }
}
