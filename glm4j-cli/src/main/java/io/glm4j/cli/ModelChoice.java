package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.generate.LoadedModel;
import io.glm4j.model.KvCacheType;
import io.glm4j.model.synth.DemoModel;
import io.glm4j.perf.JitBudgets;
import io.glm4j.repack.Repack;
import io.glm4j.tensor.RowGroups;
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

    @Option(names = "--no-preload", description = "Do not read a large model file into memory before the first token.")
    boolean noPreload;

    @Option(names = "--repack", description = "Also keep the model's Q4_0, Q5_0, Q8_0, Q4_K and Q6_K matrices repacked into groups of 16 rows (8 without AVX-512), for faster decoding: "
            + "built once into a cache file as large as those matrices (see --repack-dir), memory-mapped like the model and read instead of their stored rows, "
            + "so it needs disk, not memory.")
    boolean repack;

    @Option(names = "--repack-dir", paramLabel = "DIR", description = "Where --repack keeps its files (default: glm4j's cache, $GLM4J_CACHE or ~/.cache/glm4j).")
    Path repackDir;

    /** Files at least this large are read into memory up front, with a progress bar. */
    private static final long PRELOAD_FROM_BYTES = 1L << 30;

    /**
     * Opens the model (without -m, the demo model, written on first use, with a notice on
     * {@code err}); a large file is then read into memory with a progress bar on {@code err}.
     */
    LoadedModel open(PrintWriter err) {
        return open(err, null);
    }

    /**
     * As {@link #open(PrintWriter)}; with {@code warmUp} (a KV cache type, null for none) a large
     * model's kernels and forward pass are also compiled ({@link io.glm4j.model.Glm4MoeModel#warmUp}),
     * on the worker threads while this thread reads the file in.
     */
    LoadedModel open(PrintWriter err, KvCacheType warmUp) {
        Path path = model;
        if (path == null) {
            err.println(DemoModel.NOTICE);
            err.flush();
            path = DemoModel.path(pool());
        }
        boolean repacked = repack || repackDir != null;
        LoadedModel loaded = LoadedModel.open(path, pool(), repacked ? repack(err, path) : null);
        long size = loaded.preloadBytes();
        boolean large = size >= PRELOAD_FROM_BYTES;
        if (!repacked && large && RowGroups.int8OnlyWhenRepacked()) {
            err.println("note: this CPU has no 512-bit vectors, so glm4j's int8 kernels run only on repacked weights: add --repack for several times faster decoding");
            err.flush();
        }
        if (large && !JitBudgets.raised()) {
            err.println("note: this JVM keeps C2's default speculation budgets, with which glm4j's vector kernels compile two to four times slower in some processes: start it with "
                    + String.join(" ", JitBudgets.OPTIONS) + " (the ./glm4j launcher does)");
            err.flush();
        }
        WarmUp compiling = warmUp != null && large ? WarmUp.start(loaded, warmUp) : null;
        if (!noPreload && large) {
            ProgressBar bar = new ProgressBar(err, "loading " + path.getFileName(), size);
            loaded.preload(bar);
            bar.finish();
        }
        if (compiling != null) compiling.finish(err);
        return loaded;
    }

    /** Repacking into --repack-dir or glm4j's cache, a build's messages and progress bar on {@code err}. */
    private Repack repack(PrintWriter err, Path model) {
        ProgressBar[] bar = new ProgressBar[1];
        return new Repack(repackDir != null ? repackDir : DemoModel.cacheDirectory(), message -> {
            if (bar[0] != null) bar[0].finish();
            bar[0] = null;
            err.println(message);
            err.flush();
        }, total -> bar[0] = new ProgressBar(err, "repacking " + model.getFileName(), total));
    }

    WorkerPool pool() {
        if (threads != null) {
            if (threads < 1) throw new Glm4jException("--threads must be at least 1");
            WorkerPool.configure(threads);
        }
        return WorkerPool.shared();
    }
}
