package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.glm4j.generate.LoadedModel;
import io.glm4j.model.KvCacheType;
import io.glm4j.tensor.WorkerPool;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The warm-up that serve and chat run on a thread of its own while a large model file loads. */
class WarmUpTest {
    @Test
    void saysWhenTheKernelsAreCompiled() {
        try (LoadedModel model = LoadedModel.open(Path.of(ChatCommandTest.MODEL), WorkerPool.shared())) {
            StringWriter err = new StringWriter();
            WarmUp.start(model, KvCacheType.F16).finish(new PrintWriter(err));
            assertThat(err.toString()).matches("compiling kernels\\.\\.\\. done \\(\\d+\\.\\d s since loading began\\)\\R");
        }
    }

    @Test
    void rethrowsWhatTheWarmUpFailedWithOnTheWaitingThread() {
        LoadedModel model = LoadedModel.open(Path.of(ChatCommandTest.MODEL), WorkerPool.shared());
        model.close(); // its weights unmapped: the warm-up's first read fails
        StringWriter err = new StringWriter();
        assertThatThrownBy(() -> WarmUp.start(model, KvCacheType.F16).finish(new PrintWriter(err))).isInstanceOf(IllegalStateException.class);
        assertThat(err.toString()).isEqualTo("compiling kernels... ");
    }
}
