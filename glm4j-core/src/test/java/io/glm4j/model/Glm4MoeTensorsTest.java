package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class Glm4MoeTensorsTest {

    @Test
    void listsTheFixturesTensorsInTheConvertersOrder() {
        try (GgufFile file = GgufFile.open(Fixtures.model("F32"))) {
            List<String> expected = file.tensors().values().stream().map(Tensor::toString).toList();

            List<TensorSpec> layout = Glm4MoeTensors.of(Glm4MoeConfig.from(file.meta(), 640), false);

            assertThat(layout).extracting(TensorSpec::toString).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void glm45AirHas803TensorsAndGlm45Has1761() {
        // SPEC §2.2: counts of the published GGUFs (the full model adds per-head q/k norms).
        assertThat(KnownModel.GLM_4_5_AIR.tensors()).hasSize(803);
        assertThat(KnownModel.GLM_4_5.tensors()).hasSize(1761);
    }

    @Test
    void glm45AirHas110BParametersWithItsNextNLayer() {
        // SPEC §9.2: 110.47B parameters with MTP.
        long params = KnownModel.GLM_4_5_AIR.tensors().stream().mapToLong(TensorSpec::elementCount).sum();
        assertThat(params / 1e9).isBetween(110.46, 110.48);
    }
}
