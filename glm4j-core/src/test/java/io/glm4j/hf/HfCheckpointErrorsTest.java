package io.glm4j.hf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.glm4j.Glm4jException;
import io.glm4j.generate.LoadedModel;
import io.glm4j.tensor.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a checkpoint directory can be unusable gives one error that names the problem. */
class HfCheckpointErrorsTest {
    static final String SHARD2 = "model-00002-of-00002.safetensors";
    static final String LM_HEAD = "\"lm_head.weight\":{\"dtype\":\"BF16\",\"shape\":[640,256],\"data_offsets\":[128,327808]}";

    @TempDir
    Path tmp;

    @AfterEach
    void unlink() {
        CheckpointCopy.unlink(tmp);
    }

    @Test
    void aDirectoryWithoutConfig() throws IOException {
        Files.writeString(tmp.resolve("README.md"), "not a model");
        assertRefused(tmp, "has no config.json; a model is a .gguf file or a Hugging Face checkpoint directory");
    }

    @Test
    void aDirectoryWithoutWeights() {
        Path dir = CheckpointCopy.of("bf16", tmp).delete("model.safetensors.index.json").dir();
        assertRefused(dir, "has no weights (neither model.safetensors.index.json nor model.safetensors)");
    }

    @Test
    void aMissingShard() {
        Path dir = CheckpointCopy.of("bf16", tmp).delete(SHARD2).dir();
        assertRefused(dir, "shard model-00002-of-00002.safetensors (listed in model.safetensors.index.json) is missing");
    }

    @Test
    void aHeaderThatLiesAboutOffsets() {
        Path dir = CheckpointCopy.of("bf16", tmp).editHeader(SHARD2, h -> h.replace(LM_HEAD, LM_HEAD.replace("327808]", "99327808]"))).dir();
        assertRefused(dir, SHARD2 + ": tensor 'lm_head.weight' has data_offsets [128, 99327808] outside the");
    }

    @Test
    void aHeaderThatLiesAboutAShape() {
        Path dir = CheckpointCopy.of("bf16", tmp).editHeader(SHARD2, h -> h.replace(LM_HEAD, LM_HEAD.replace("[640,256]", "[640,257]"))).dir();
        assertRefused(dir, SHARD2 + ": tensor 'lm_head.weight' has 327680 bytes of data but its shape [640,257] of BF16 needs 328960");
    }

    @Test
    void aTensorOfADtypeGlm4jCannotRead() {
        Path dir = CheckpointCopy.of("bf16", tmp).editHeader(SHARD2, h -> h.replace(LM_HEAD, LM_HEAD.replace("BF16", "I16"))).dir();
        assertRefused(dir, "tensor 'lm_head.weight' in " + SHARD2 + " has dtype I16, which glm4j cannot read (it reads F8_E4M3, F16, BF16, F32)");
    }

    @Test
    void anUnsupportedQuantizationMethod() {
        Path dir = CheckpointCopy.of("fp8", tmp).editText("config.json", c -> c.replace("\"compressed-tensors\"", "\"gptq\"")).dir();
        assertRefused(dir, "config.json: quantization method 'gptq' is not supported");
    }

    @Test
    void anUnsupportedFp8Strategy() {
        Path dir = CheckpointCopy.of("fp8", tmp).editText("config.json", c -> c.replace("\"strategy\": \"channel\"", "\"strategy\": \"group\"")).dir();
        assertRefused(dir, "compressed-tensors weights float 8-bit with strategy 'group' are not supported");
    }

    @Test
    void anFp8WeightWithoutItsScale() {
        Path dir = CheckpointCopy.of("fp8", tmp).editText("model.safetensors.index.json",
                index -> index.replaceAll("\"model\\.layers\\.0\\.self_attn\\.q_proj\\.weight_scale\": \"[^\"]+\",", "")).dir();
        assertRefused(dir, "FP8 weight 'model.layers.0.self_attn.q_proj.weight' has no model.layers.0.self_attn.q_proj.weight_scale");
    }

    @Test
    void aConfigOfAnotherArchitecture() {
        Path dir = CheckpointCopy.of("bf16", tmp).editText("config.json", c -> c.replace("\"glm4_moe\"", "\"llama\"")).dir();
        assertRefused(dir, "config.json: model_type 'llama' is not glm4_moe");
    }

    @Test
    void aTensorTheModelDoesNotHave() {
        String bias = "model.layers.4.mlp.gate.e_score_correction_bias", stray = "model.layers.9.mlp.gate.e_score_correction_bias";
        Path dir = CheckpointCopy.of("bf16", tmp)
                .editHeader(SHARD2, h -> h.replace(bias, stray))
                .editText("model.safetensors.index.json", i -> i.replace(bias, stray))
                .dir();
        assertRefused(dir, "has tensor '" + stray + "', which a glm4_moe model with this config.json does not have");
    }

    static void assertRefused(Path dir, String message) {
        assertThatThrownBy(() -> LoadedModel.open(dir, WorkerPool.shared()).close())
                .isInstanceOf(Glm4jException.class).hasMessageContaining(message);
    }
}
