package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The types {@link QuantMix} picks against what llama-quantize actually wrote for the tiny fixture. */
class QuantMixTest {

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q6_K", "Q4_K_M", "Q4_0"})
    void picksTheTypesLlamaQuantizeGaveTheFixture(String fileType) {
        List<TensorSpec> f32;
        Glm4MoeConfig config;
        try (GgufFile file = GgufFile.open(Fixtures.model("F32"))) {
            config = Glm4MoeConfig.from(file.meta(), 640);
            f32 = new ArrayList<>();
            for (Tensor t : file.tensors().values()) f32.add(new TensorSpec(t.name(), t.type(), t.ne()));
        }

        List<TensorSpec> mixed = QuantMix.of(FileType.parse(fileType), config).apply(f32);

        Map<String, String> expected = new TreeMap<>(), actual = new TreeMap<>();
        for (JsonNode t : Fixtures.golden(fileType).json().get("tensors")) expected.put(t.get("name").asText(), t.get("type").asText());
        for (TensorSpec t : mixed) actual.put(t.name(), t.type().name());
        assertThat(actual).isEqualTo(expected);
        assertThat(mixed).extracting(TensorSpec::name).containsExactlyElementsOf(f32.stream().map(TensorSpec::name).toList());
    }

    /** {@code quantmix/air-types.tsv}: llama-quantize --dry-run on GLM-4.5-Air's real tensor directory (README beside it). */
    @Test
    void picksTheTypesLlamaQuantizeGivesGlm45AirForEveryFileType() throws IOException {
        List<String> rows;
        try (InputStream in = QuantMixTest.class.getResourceAsStream("quantmix/air-types.tsv")) {
            rows = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        String[] fileTypes = rows.getFirst().split("\t");
        List<TensorSpec> air = KnownModel.GLM_4_5_AIR.tensors();
        assertThat(rows).hasSize(air.size() + 1);
        for (int col = 1; col < fileTypes.length; col++) {
            List<TensorSpec> mixed = QuantMix.of(FileType.parse(fileTypes[col]), KnownModel.GLM_4_5_AIR.config()).apply(air);
            for (int i = 0; i < air.size(); i++) {
                String[] row = rows.get(i + 1).split("\t");
                assertThat(mixed.get(i).name()).isEqualTo(row[0]);
                assertThat(mixed.get(i).type().name()).as("%s in %s", row[0], fileTypes[col]).isEqualTo(row[col]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16", "F32"})
    void floatTypesConvertEveryMatrixButTheRouter(String fileType) {
        Glm4MoeConfig config = KnownModel.GLM_4_5_AIR.config();
        List<TensorSpec> mixed = QuantMix.of(FileType.parse(fileType), config).apply(KnownModel.GLM_4_5_AIR.tensors());
        GgmlType type = FileType.parse(fileType).defaultType;
        for (TensorSpec t : mixed) {
            boolean matrix = t.ne().length > 1 && !t.name().contains("ffn_gate_inp");
            assertThat(t.type()).as(t.name()).isEqualTo(matrix ? type : GgmlType.F32);
        }
    }
}
