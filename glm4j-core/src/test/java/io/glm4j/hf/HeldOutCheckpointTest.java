package io.glm4j.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.glm4j.convert.CheckpointToGguf;
import io.glm4j.fixtures.Golden;
import io.glm4j.generate.LoadedModel;
import io.glm4j.gguf.GgufFile;
import io.glm4j.model.Batch;
import io.glm4j.model.FileType;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCache;
import io.glm4j.model.KvCacheType;
import io.glm4j.tensor.Tensor;
import io.glm4j.tensor.WorkerPool;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checkpoints glm4j's own tests did not shape, exported from the held-out GGUF models by
 * {@code export_hf_checkpoint.py} (see the README beside them) and checked against llama.cpp and NumPy:
 * group-limited routing stored as exact F32, and the GLM-4.5 (355B) switches (per-head q/k norms, three
 * dense layers, top-6 of 24, routed scale 2.5) as FP8 with BF16 per-row scales, whose goldens come from
 * llama.cpp on an F32 GGUF of the values the checkpoint stands for.
 */
class HeldOutCheckpointTest {
    static final Path HF = Path.of("glm4j-core/src/test/resources/io/glm4j/hf");
    static final Path GGUF = Path.of("glm4j-core/src/test/resources/io/glm4j/model/reference");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({
        "tiny-glm45group-f32-hf, ../model/reference/tiny-glm45group-F32",
        "tiny-glm45full-fp8-hf, tiny-glm45full-fp8-hf",
    })
    void logitsGreedyStepsAndNextNMatchTheGoldens(String checkpoint, String goldens) {
        Golden golden = Golden.load(HF.resolve(goldens + ".golden.json"));
        Golden mtp = Golden.load(HF.resolve(goldens + ".mtp.golden.json"));
        try (LoadedModel loaded = LoadedModel.open(HF.resolve(checkpoint), WorkerPool.shared())) {
            Glm4MoeModel model = loaded.model();
            for (Golden.Prompt p : golden.prompts()) {
                int[] tokens = p.tokens();
                KvCache cache = model.newCache(64, 1);
                Glm4MoeModel.Output out = model.forward(Batch.of(0, 0, tokens, true), cache);
                float[][] logits = p.matrix("logits");
                for (int t = 0; t < tokens.length; t++) {
                    assertThat(out.logitsRow(t)).as("%s %s position %d", checkpoint, p.name(), t).containsExactly(logits[t], within(1e-3f));
                }
                float[][] steps = p.matrix("greedy_step_logits");
                int next = HfCheckpointGoldenTest.argmax(out.logitsRow(tokens.length - 1));
                for (int s = 0; s < p.greedy().length; s++) {
                    assertThat(next).as("%s %s greedy %d", checkpoint, p.name(), s).isEqualTo(p.greedy()[s]);
                    out = model.forward(Batch.of(0, tokens.length + s, new int[] {next}, true), cache);
                    assertThat(out.logitsRow(0)).containsExactly(steps[s], within(1e-3f));
                    next = HfCheckpointGoldenTest.argmax(out.logitsRow(0));
                }
            }
            for (Golden.Prompt p : mtp.prompts()) {
                int[] sequence = Golden.ints(p.json().get("sequence"));
                int[] next = Golden.ints(p.json().get("next_tokens"));
                float[] hidden = model.forward(Batch.of(0, 0, sequence, true), model.newCache(sequence.length, 1)).hidden();
                Glm4MoeModel.Output draft = model.forwardNextN(Batch.of(0, 0, next, true), hidden,
                        model.newNextNCache(KvCacheType.F32, sequence.length, 1));
                float[][] expected = p.matrix("logits");
                for (int i = 0; i < sequence.length; i++) {
                    assertThat(draft.logitsRow(i)).as("%s %s NextN %d", checkpoint, p.name(), i).containsExactly(expected[i], within(1e-3f));
                }
            }
        }
    }

    /** GGUF → checkpoint (the export script) → GGUF (glm4j convert) gives back every tensor and key. */
    @Test
    void convertingTheExportedF32CheckpointGivesBackTheGgufItCameFrom() {
        Path out = tmp.resolve("round-trip.gguf");
        try (HfCheckpoint checkpoint = HfCheckpoint.open(HF.resolve("tiny-glm45group-f32-hf"))) {
            CheckpointToGguf.plan(checkpoint, FileType.F32).write(out, WorkerPool.shared(), done -> {});
        }
        try (GgufFile converted = GgufFile.open(out); GgufFile original = GgufFile.open(GGUF.resolve("tiny-glm45group-F32.gguf"))) {
            assertThat(converted.tensors().keySet()).containsExactlyInAnyOrderElementsOf(original.tensors().keySet());
            for (Tensor t : original.tensors().values()) {
                Tensor back = converted.tensor(t.name());
                assertThat(back.toString()).isEqualTo(t.toString());
                assertThat(back.data().mismatch(t.data())).as(t.name()).isEqualTo(-1L);
            }
            for (var key : original.encodedMetadata().keySet()) {
                if (key.equals("general.name") || key.equals("general.license")) continue;
                assertThat(Arrays.equals(converted.encodedMetadata().get(key).toArray(ValueLayout.JAVA_BYTE),
                        original.encodedMetadata().get(key).toArray(ValueLayout.JAVA_BYTE))).as(key).isTrue();
            }
        }
    }
}
