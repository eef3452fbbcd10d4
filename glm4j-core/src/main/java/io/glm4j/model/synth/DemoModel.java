package io.glm4j.model.synth;

import io.glm4j.Glm4jException;
import io.glm4j.model.FileType;
import io.glm4j.tensor.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model glm4j runs when none is given: a small {@code synth} model (the tiny preset in Q8_0,
 * about 8 MB) written on first use into a cache directory. Its weights are random, so it shows
 * that everything works, not what GLM-4.5 can do.
 */
public final class DemoModel {
    /** Bump when the preset, type or seed changes, so an old cached file is not reused. */
    private static final String FILE_NAME = "glm4j-demo-tiny-Q8_0-v1.gguf";
    private static final long SEED = 4505;

    public static final String NOTICE = """
            No model given (-m): using glm4j's built-in demo model. Its weights are RANDOM, so its \
            answers are gibberish; it only shows that everything works.
            For real answers download a GLM-4.5-Air GGUF (for example a Q4_K_M file, about 68 GB) \
            and pass it with -m /path/to/GLM-4.5-Air-Q4_K_M.gguf""";

    private DemoModel() {}

    /** The cache directory: {@code $GLM4J_CACHE}, else {@code $XDG_CACHE_HOME/glm4j}, else {@code ~/.cache/glm4j}. */
    public static Path cacheDirectory() {
        String explicit = System.getenv("GLM4J_CACHE");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("glm4j");
    }

    /** The demo model's file, written first if it is not there yet. */
    public static Path path(WorkerPool pool) {
        Path dir = cacheDirectory();
        Path file = dir.resolve(FILE_NAME);
        if (Files.isRegularFile(file)) return file;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new Glm4jException("cannot create the cache directory " + dir + " for the demo model: " + e.getMessage());
        }
        SyntheticModel.of(SynthPreset.tiny(), FileType.Q8_0, SEED).write(file, pool, bytes -> {});
        return file;
    }
}
