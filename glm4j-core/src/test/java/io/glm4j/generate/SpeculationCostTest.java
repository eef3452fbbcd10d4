package io.glm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.tensor.WorkerPool;
import org.junit.jupiter.api.Test;

class SpeculationCostTest {
    @Test
    void speedUpFollowsTheExpectedTokensPerRound() {
        SpeculationCost.Costs c = new SpeculationCost.Costs(1.0, new double[] {1.2, 1.5, 1.8}, 0.1);
        // k = 1, a = 0.5: 1.5 tokens for 1.2 + 0.1
        assertThat(c.speedup(1, 0.5)).isCloseTo(1.5 / 1.3, within(1e-9));
        // k = 3, a = 1: every draft accepted, 4 tokens for 1.8 + 0.3
        assertThat(c.speedup(3, 1.0)).isCloseTo(4 / 2.1, within(1e-9));
        // nothing accepted: pure overhead
        assertThat(c.speedup(2, 0.0)).isCloseTo(1 / 1.7, within(1e-9));
    }

    @Test
    void measuresEveryCostOnAModel() {
        try (GgufFile file = GgufFile.open(Fixtures.model("F32"))) {
            SpeculationCost.Costs c = SpeculationCost.measure(Glm4MoeModel.load(file, WorkerPool.shared()), 16, 3, 1);
            assertThat(c.decode()).isPositive();
            assertThat(c.verify()).hasSize(3);
            for (double v : c.verify()) assertThat(v).isPositive();
            assertThat(c.draft()).isPositive();
        }
    }
}
