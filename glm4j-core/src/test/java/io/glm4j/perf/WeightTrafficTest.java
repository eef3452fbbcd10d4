package io.glm4j.perf;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.tensor.WorkerPool;
import org.junit.jupiter.api.Test;

class WeightTrafficTest {

    @Test
    void aDecodedTokenOfTheF32FixtureReadsItsDenseMatricesAndFourOfSixteenExperts() {
        try (GgufFile file = GgufFile.open(Fixtures.model("F32"))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            // hidden 256, q 4×64, k/v 2×64: attention 256·256 + 2·256·128 + 256·256 per layer, 4 layers;
            // dense FFN (layer 0) 3·256·512; MoE layers 1..3: router 256·16, top-4 experts of 3·256·96,
            // shared expert 3·256·96; LM head 256·640; one embedding row of 256; all float32.
            long attention = 4L * (256 * 256 + 2 * 256 * 128 + 256 * 256);
            long moe = 3L * (256 * 16 + 4 * 3 * 256 * 96 + 3 * 256 * 96);
            long expected = 4 * (attention + 3 * 256 * 512 + moe + 256 * 640 + 256);
            assertThat(WeightTraffic.bytesPerDecodedToken(model.config(), model.weights())).isEqualTo(expected).isEqualTo(9_847_808);
        }
    }
}
