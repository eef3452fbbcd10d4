package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.glm4j.Glm4jException;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.fixtures.GgufEdit;
import io.glm4j.fixtures.Golden;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.Tensor;
import io.glm4j.tensor.WorkerPool;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading edited copies of the F32 fixture: older files load with llama.cpp's defaults, broken ones fail by name. */
class Glm4MoeModelLoadTest {
    @TempDir
    Path tmp;

    private Path edited(UnaryOperator<GgufEdit> edit) {
        try (GgufFile source = GgufFile.open(Fixtures.model("F32"))) {
            return edit.apply(GgufEdit.of(source)).write(tmp.resolve("edited.gguf"));
        }
    }

    private static void assertLoadFails(Path file, String message) {
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThatThrownBy(() -> Glm4MoeModel.load(gguf, WorkerPool.shared()))
                    .isInstanceOf(Glm4jException.class).hasMessageContaining(message);
        }
    }

    @Test
    void anOlderFileWithoutGroupAndGatingKeysLoadsWithTheDefaults() {
        Path file = edited(e -> e.remove("glm4moe.expert_group_count").remove("glm4moe.expert_group_used_count")
                .remove("glm4moe.expert_gating_func"));
        Golden.Prompt p = Fixtures.golden("F32").prompts().get(2);
        try (GgufFile gguf = GgufFile.open(file)) {
            Glm4MoeModel model = Glm4MoeModel.load(gguf, WorkerPool.shared());
            assertThat(model.config().expertGroupCount()).isEqualTo(1);
            Glm4MoeModel.Output out = model.forward(Batch.of(0, 0, p.tokens(), true), model.newCache(16, 1));
            assertThat(out.logitsRow(7)).containsExactly(p.matrix("logits")[7], within(1e-3f));
        }
    }

    @Test
    void anotherArchitectureIsRefused() {
        assertLoadFails(edited(e -> e.set("general.architecture", "llama")), "is a 'llama' model; glm4j runs 'glm4moe'");
    }

    @Test
    void aMissingKeyIsNamed() {
        assertLoadFails(edited(e -> e.remove("glm4moe.expert_count")), "lacks the metadata key 'glm4moe.expert_count'");
    }

    @Test
    void aMissingTensorIsNamed() {
        assertLoadFails(edited(e -> e.removeTensor("blk.2.ffn_up_exps.weight")), "has no tensor 'blk.2.ffn_up_exps.weight'");
    }

    @Test
    void aTensorOfTheWrongShapeIsNamed() {
        assertLoadFails(edited(e -> e.replaceTensor("blk.1.attn_k.bias",
                t -> new Tensor(t.name(), t.type(), new long[] {64}, t.data().asSlice(0, 256)))), "tensor 'blk.1.attn_k.bias' has shape [64]");
    }

    @Test
    void aTypeWithoutAKernelIsNamed() {
        Arena arena = Arena.ofAuto();
        assertLoadFails(edited(e -> e.replaceTensor("blk.1.attn_output.weight",
                        t -> new Tensor(t.name(), GgmlType.Q8_K, t.ne(), arena.allocate(GgmlType.Q8_K.bytesFor(t.elementCount()))))),
                "'blk.1.attn_output.weight' has type Q8_K, which glm4j cannot compute with");
    }

    @Test
    void inconsistentHyperParametersAreRefused() {
        assertLoadFails(edited(e -> e.set("glm4moe.expert_used_count", 17)), "expert_used_count' is 17, expected 1..16");
        assertLoadFails(edited(e -> e.set("glm4moe.expert_gating_func", 1)), "is not sigmoid");
    }
}
