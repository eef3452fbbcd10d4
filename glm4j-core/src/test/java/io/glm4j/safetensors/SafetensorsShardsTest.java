package io.glm4j.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.glm4j.Glm4jException;
import io.glm4j.tensor.FileMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsShardsTest {
    @TempDir
    Path tmp;

    @Test
    void theIndexMapsEveryTensorToItsShard() {
        try (SafetensorsShards bf16 = SafetensorsShards.open(SafetensorsFileTest.HF.resolve("tiny-glm45air-bf16"))) {
            assertThat(bf16.names()).hasSize(269);
            assertThat(bf16.files()).extracting(p -> p.getFileName().toString())
                    .containsExactlyInAnyOrder("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
            assertThat(bf16.tensor("lm_head.weight").ne()).containsExactly(256, 640);
            assertThat(bf16.has("model.layers.4.eh_proj.weight")).isTrue();
        }
    }

    @Test
    void preloadReadsEveryShardAndReportsProgressOverAll() {
        try (SafetensorsShards bf16 = SafetensorsShards.open(SafetensorsFileTest.HF.resolve("tiny-glm45air-bf16"))) {
            List<Long> reported = new ArrayList<>();
            FileMapping.preload(bf16.mappings(), reported::add);
            long total = bf16.files().stream().mapToLong(p -> p.toFile().length()).sum();
            assertThat(bf16.byteSize()).isEqualTo(total);
            assertThat(reported).isSorted().last().isEqualTo(total);
        }
    }

    @Test
    void aSingleModelSafetensorsNeedsNoIndex() {
        new SafetensorsWriter().add("w", "F32", new long[] {2, 1}, SafetensorsWriter.floats(3, 4)).write(tmp.resolve("model.safetensors"));
        try (SafetensorsShards single = SafetensorsShards.open(tmp)) {
            assertThat(single.tensor("w").toFloats()).containsExactly(3, 4);
        }
    }

    @Test
    void aMissingShardIsNamed() throws IOException {
        new SafetensorsWriter().add("a", "F32", new long[] {1}, SafetensorsWriter.floats(1)).write(tmp.resolve("model-00001-of-00002.safetensors"));
        Files.writeString(tmp.resolve(SafetensorsShards.INDEX), """
                {"metadata": {"total_size": 8}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        assertThatThrownBy(() -> SafetensorsShards.open(tmp)).isInstanceOf(Glm4jException.class)
                .hasMessageContaining("shard model-00002-of-00002.safetensors (listed in model.safetensors.index.json) is missing from");
    }

    @Test
    void anIndexThatPutsATensorInTheWrongShardIsRefused() throws IOException {
        new SafetensorsWriter().add("a", "F32", new long[] {1}, SafetensorsWriter.floats(1)).write(tmp.resolve("s1.safetensors"));
        Files.writeString(tmp.resolve(SafetensorsShards.INDEX), "{\"weight_map\": {\"b\": \"s1.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsShards.open(tmp)).isInstanceOf(Glm4jException.class)
                .hasMessage("model.safetensors.index.json puts tensor 'b' in s1.safetensors, which does not hold it");
    }

    @Test
    void aDirectoryWithoutWeightsOrWithABrokenIndexIsRefused() throws IOException {
        assertThatThrownBy(() -> SafetensorsShards.open(tmp)).isInstanceOf(Glm4jException.class).hasMessageContaining("has no weights");
        Files.writeString(tmp.resolve(SafetensorsShards.INDEX), "{\"weight_map\": ");
        assertThatThrownBy(() -> SafetensorsShards.open(tmp)).isInstanceOf(Glm4jException.class).hasMessageContaining("is not valid JSON");
    }
}
