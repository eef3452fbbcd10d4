package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.generate.LoadedModel;
import io.glm4j.tensor.WorkerPool;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The model to run, and the worker threads to run it on. */
final class ModelChoice {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "GGUF model file.")
    Path model;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    LoadedModel open() {
        return LoadedModel.open(model, pool());
    }

    WorkerPool pool() {
        if (threads != null) {
            if (threads < 1) throw new Glm4jException("--threads must be at least 1");
            WorkerPool.configure(threads);
        }
        return WorkerPool.shared();
    }
}
