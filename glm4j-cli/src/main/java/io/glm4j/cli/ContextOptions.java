package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCacheType;
import io.glm4j.generate.Session;
import picocli.CommandLine.Option;

/** KV cache size and element type. */
final class ContextOptions {
    @Option(names = {"-c", "--ctx"}, paramLabel = "N", description = "Context size in tokens (default: 4096, or the model's if smaller).")
    Integer ctx;

    @Option(names = "--kv", paramLabel = "TYPE", defaultValue = "f16", description = "KV cache type: f16, f32 or q8_0 (default ${DEFAULT-VALUE}).")
    String kv;

    Session newSession(Glm4MoeModel model) {
        return new Session(model, model.newCache(type(), size(model), 1), 0);
    }

    /** Tokens per sequence: --ctx, checked against the model's context. */
    int size(Glm4MoeModel model) {
        int size = ctx != null ? ctx : Math.min(4096, model.config().contextLength());
        if (size < 1) throw new Glm4jException("--ctx must be at least 1");
        if (size > model.config().contextLength()) {
            throw new Glm4jException("--ctx " + size + " is larger than the model's context of " + model.config().contextLength());
        }
        return size;
    }

    KvCacheType type() {
        return KvCacheType.parse(kv);
    }
}
