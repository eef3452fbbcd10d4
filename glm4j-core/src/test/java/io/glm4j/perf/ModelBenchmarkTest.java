package io.glm4j.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCacheType;
import io.glm4j.tensor.WorkerPool;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModelBenchmarkTest {

    @Test
    void testsRunAfterTheirDepthOfCachedPositions() {
        try (GgufFile file = GgufFile.open(Fixtures.model("F32"))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            // the model only takes batches that continue their sequence's cache, so each run
            // starting at position 40 shows the depth was filled first and cut back to after each run
            ModelBenchmark bench = new ModelBenchmark(model, KvCacheType.F16, 40, 7);
            Throughput pp = bench.prompt(8, 2);
            Throughput tg = bench.generation(4, 2);
            assertThat(bench.depth()).isEqualTo(40);
            assertThat(pp.tokens()).isEqualTo(8);
            assertThat(pp.samples()).hasSize(2);
            assertThat(Arrays.stream(pp.samples()).min().orElseThrow()).isPositive();
            assertThat(tg.tokens()).isEqualTo(4);
            assertThat(tg.samples()).hasSize(2);
            assertThat(Arrays.stream(tg.samples()).min().orElseThrow()).isPositive();
        }
    }

    @Test
    void aDepthBeyondTheContextIsRefused() {
        try (GgufFile file = GgufFile.open(Fixtures.model("F32"))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            int context = model.config().contextLength();
            ModelBenchmark bench = new ModelBenchmark(model, KvCacheType.F16, context - 4, 7);
            assertThatThrownBy(() -> bench.prompt(8, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("more than the model's context of " + context);
            assertThatThrownBy(() -> new ModelBenchmark(model, KvCacheType.F16, -1, 7)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
