package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.generate.LoadedModel;
import io.glm4j.model.KvCacheType;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicReference;

/** A model's warm-up ({@link io.glm4j.model.Glm4MoeModel#warmUp}) running on a thread of its own while the file loads. */
final class WarmUp {
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final long start = System.nanoTime();

    private WarmUp(LoadedModel model, KvCacheType cacheType) {
        thread = Thread.ofPlatform().name("glm4j-warm-up").daemon().unstarted(() -> {
            try {
                model.model().warmUp(cacheType);
            } catch (RuntimeException | Error e) {
                failure.set(e); // rethrown by finish, on the thread that reports errors
            }
        });
    }

    static WarmUp start(LoadedModel model, KvCacheType cacheType) {
        WarmUp w = new WarmUp(model, cacheType);
        w.thread.start();
        return w;
    }

    /** Waits for the warm-up, saying so on {@code err}, and rethrows what it failed with. */
    void finish(PrintWriter err) {
        err.print("compiling kernels... ");
        err.flush();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Glm4jException("interrupted while compiling kernels");
        }
        if (failure.get() instanceof RuntimeException e) throw e;
        if (failure.get() instanceof Error e) throw e;
        err.printf("done (%.1f s since loading began)%n", (System.nanoTime() - start) / 1e9);
        err.flush();
    }
}
