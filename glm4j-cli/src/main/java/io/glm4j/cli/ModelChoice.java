package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.generate.LoadedModel;
import io.glm4j.model.synth.DemoModel;
import io.glm4j.tensor.WorkerPool;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The model to run, and the worker threads to run it on. */
final class ModelChoice {
    @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "GGUF model file or Hugging Face checkpoint directory (default: the built-in demo model, random weights).")
    Path model;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    /** Opens the model; without -m, the demo model (written on first use), with a notice on {@code err}. */
    LoadedModel open(PrintWriter err) {
        if (model != null) return LoadedModel.open(model, pool());
        err.println(DemoModel.NOTICE);
        err.flush();
        return LoadedModel.open(DemoModel.path(pool()), pool());
    }

    WorkerPool pool() {
        if (threads != null) {
            if (threads < 1) throw new Glm4jException("--threads must be at least 1");
            WorkerPool.configure(threads);
        }
        return WorkerPool.shared();
    }
}
