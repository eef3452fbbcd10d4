package io.glm4j.server;

import io.glm4j.generate.LoadedModel;
import io.glm4j.generate.Scheduler;
import io.glm4j.model.KvCacheType;
import io.glm4j.tensor.WorkerPool;
import java.nio.file.Path;

/** The tiny random-weight GLM-4.5-Air fixture, loaded once for all server tests, and servers on it. */
final class TinyModel {
    static final Path FILE = Path.of("../shared/fixtures/glm45/tiny-glm45air-F32.gguf");
    static final String ID = "tiny-glm45air-F32";
    private static LoadedModel loaded;

    private TinyModel() {}

    static synchronized LoadedModel loaded() {
        if (loaded == null) loaded = LoadedModel.open(FILE, WorkerPool.shared());
        return loaded;
    }

    static ServedModel served(int contextSize) {
        return ServedModel.of(loaded(), contextSize);
    }

    /** A server generating with the real scheduler on an ephemeral loopback port. */
    static Running start(int parallel, int contextSize, int queue, ServerOptions options) {
        Engine engine = Engine.of(new Scheduler(loaded(), parallel, contextSize, KvCacheType.F32, queue));
        return new Running(engine, OpenAiServer.start(served(contextSize), engine, options));
    }

    static Running start(Engine engine, int contextSize, ServerOptions options) {
        return new Running(engine, OpenAiServer.start(served(contextSize), engine, options));
    }

    record Running(Engine engine, OpenAiServer server) implements AutoCloseable {
        String url() {
            return server.url();
        }

        @Override
        public void close() {
            server.close();
            engine.close();
        }
    }
}
