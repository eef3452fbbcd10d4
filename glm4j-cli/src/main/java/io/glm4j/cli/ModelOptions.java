package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.tensor.WorkerPool;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by commands that run a model. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    WorkerPool pool() {
        if (threads != null) {
            if (threads < 1) throw new Glm4jException("--threads must be at least 1");
            WorkerPool.configure(threads);
        }
        return WorkerPool.shared();
    }
}
