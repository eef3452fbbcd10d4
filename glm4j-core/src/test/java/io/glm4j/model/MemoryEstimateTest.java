package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.glm4j.tensor.GgmlType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MemoryEstimateTest {
    private static final Glm4MoeConfig AIR = KnownModel.GLM_4_5_AIR.config();
    private static final double GIB = 1L << 30;

    @Test
    void kvCachePerTokenMatchesSpec() {
        // SPEC §9.3: 46 layers × 2 × 8 KV heads × 128 dims.
        assertThat(MemoryEstimate.kvBytesPerToken(AIR, GgmlType.F16)).isEqualTo(188_416);
        assertThat(MemoryEstimate.kvBytesPerToken(AIR, GgmlType.Q8_0)).isEqualTo(100_096);
        assertThat(MemoryEstimate.kvBytesPerToken(AIR, GgmlType.Q4_0)).isEqualTo(52_992);
        assertThat(MemoryEstimate.kvBytesPerToken(KnownModel.GLM_4_5.config(), GgmlType.F16)).isEqualTo(376_832);
        assertThat(MemoryEstimate.kvBytesPerToken(KnownModel.GLM_4_5.config(), GgmlType.Q8_0)).isEqualTo(200_192);
    }

    @Test
    void kvCacheAt128KIs23GiBInF16AndScalesWithSequences() {
        // SPEC §9.3: llama.cpp logs "K (f16): 11776 MiB, V (f16): 11776 MiB" for Air at 131072.
        MemoryEstimate one = MemoryEstimate.of(AIR, 0, 131072, GgmlType.F16, 1);
        assertThat(one.kvBytes()).isEqualTo(23_552L << 20);
        assertThat(MemoryEstimate.of(AIR, 0, 65536, GgmlType.Q8_0, 1).kvBytes()).isEqualTo(6_256L << 20);
        assertThat(MemoryEstimate.of(AIR, 0, 131072, GgmlType.F16, 4).kvBytes()).isEqualTo(4 * one.kvBytes());
    }

    /** {@code quantmix/quant-sizes.tsv}: the sizes llama-quantize --dry-run reports, to the byte. */
    @Test
    void weightsOfEveryFileTypeAreWhatLlamaQuantizeWrites() throws IOException {
        List<String> rows;
        try (InputStream in = MemoryEstimateTest.class.getResourceAsStream("quantmix/quant-sizes.tsv")) {
            rows = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().skip(1).toList();
        }
        assertThat(rows).hasSize(38);
        for (String row : rows) {
            String[] f = row.split("\\t");
            KnownModel model = KnownModel.parse(f[0]);
            List<TensorSpec> mixed = QuantMix.of(FileType.parse(f[1]), model.config()).apply(model.tensors());
            assertThat(MemoryEstimate.weightsBytes(mixed)).as(row).isEqualTo(Long.parseLong(f[2]));
        }
    }

    /** SPEC §9.2: sizes of published GLM-4.5-Air GGUFs in GiB (ubergarm BF16/Q8_0, the community table for the rest). */
    @ParameterizedTest
    @CsvSource({"BF16, 205.811", "Q8_0, 109.381", "Q6_K, 92.2", "Q5_K_M, 77.8", "Q4_K_M, 68.0", "IQ4_XS, 56.3", "Q3_K_M, 53.3", "Q2_K, 42.2"})
    void weightsAreWithinTwoPercentOfPublishedGlm45AirFiles(String fileType, double publishedGib) {
        List<TensorSpec> mixed = QuantMix.of(FileType.parse(fileType), AIR).apply(KnownModel.GLM_4_5_AIR.tensors());
        double gib = MemoryEstimate.weightsBytes(mixed) / GIB;
        assertThat(gib).isCloseTo(publishedGib, within(publishedGib * 0.02));
    }

    @Test
    void computeIsTheLargestBatchOfActivationsPlusLogits() {
        // Air, 512 prompt tokens: 3·512·4096 + 2·512·12288 + 2·512·1024 (attention) + 2·512·10944 + 512·4096
        // (dense FFN, larger than the MoE's 512·128 + 3·512·4096 + 4·512·1408) + 151552 + 4096 (one logits row), float32.
        long expected = 4L * (6_291_456 + 12_582_912 + 1_048_576 + 11_206_656 + 2_097_152 + 155_648);
        assertThat(MemoryEstimate.of(AIR, 0, 4096, GgmlType.F16, 1).computeBytes()).isEqualTo(expected);
        // A short context shrinks the prompt batch; more sequences add logits rows.
        assertThat(MemoryEstimate.of(AIR, 0, 16, GgmlType.F16, 1).computeBytes()).isLessThan(expected);
        assertThat(MemoryEstimate.of(AIR, 0, 4096, GgmlType.F16, 2).computeBytes()).isEqualTo(expected + 4L * 155_648);
    }

    @Test
    void totalIsTheSum() {
        MemoryEstimate m = MemoryEstimate.of(AIR, 1000, 1024, GgmlType.F16, 1);
        assertThat(m.totalBytes()).isEqualTo(1000 + m.kvBytes() + m.computeBytes());
    }
}
