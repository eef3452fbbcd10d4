package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.tensor.WorkerPool;

/** The shared worker pool, resized by a {@code -t/--threads} option when one was given. */
final class Threads {
    private Threads() {}

    static WorkerPool pool(Integer threads) {
        if (threads != null) {
            if (threads < 1) throw new Glm4jException("--threads must be at least 1");
            WorkerPool.configure(threads);
        }
        return WorkerPool.shared();
    }
}
