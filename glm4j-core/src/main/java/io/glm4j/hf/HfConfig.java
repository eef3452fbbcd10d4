package io.glm4j.hf;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.Glm4jException;
import io.glm4j.gguf.Metadata;
import io.glm4j.model.Glm4MoeConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Hugging Face {@code config.json} of a GLM-4.5 family model ({@code model_type glm4_moe},
 * {@code Glm4MoeForCausalLM}), turned into the {@code glm4moe.*} GGUF keys that llama.cpp's converter
 * writes for it, in its order and with its value types. The model's {@link Glm4MoeConfig} is read
 * from those keys, so a checkpoint and its converted GGUF cannot disagree.
 */
public final class HfConfig {
    public static final String FILE = "config.json";
    static final String MODEL_TYPE = "glm4_moe";
    private static final String A = Glm4MoeConfig.ARCHITECTURE + ".";

    private final JsonNode json;
    private final Map<String, Object> keys;

    private HfConfig(JsonNode json) {
        this.json = json;
        String type = json.path("model_type").asText("");
        if (!type.equals(MODEL_TYPE)) {
            throw new Glm4jException(FILE + ": model_type '" + type + "' is not " + MODEL_TYPE
                    + "; glm4j runs GLM-4.5 family checkpoints (Glm4MoeForCausalLM)");
        }
        JsonNode scaling = json.path("rope_scaling");
        if (!scaling.isMissingNode() && !scaling.isNull()) {
            throw new Glm4jException(FILE + ": rope_scaling " + scaling + " is not supported (GLM-4.5 uses none)");
        }
        if (json.path("tie_word_embeddings").asBoolean(false)) {
            throw new Glm4jException(FILE + ": tie_word_embeddings is not supported (GLM-4.5 has its own lm_head)");
        }
        this.keys = architectureKeys();
    }

    public static HfConfig read(Path directory) {
        return new HfConfig(JsonFiles.read(directory.resolve(FILE)));
    }

    /** The {@code glm4moe.*} keys (and {@code general.file_type}'s place among them is the caller's). */
    private Map<String, Object> architectureKeys() {
        Map<String, Object> k = new LinkedHashMap<>();
        int layers = positive("num_hidden_layers");
        int nextn = json.path("num_nextn_predict_layers").asInt(0);
        int hidden = positive("hidden_size");
        int heads = positive("num_attention_heads");
        k.put(A + "block_count", layers + nextn);
        k.put(A + "context_length", positive("max_position_embeddings"));
        k.put(A + "embedding_length", hidden);
        k.put(A + "feed_forward_length", positive("intermediate_size"));
        k.put(A + "attention.head_count", heads);
        k.put(A + "attention.head_count_kv", json.has("num_key_value_heads") ? positive("num_key_value_heads") : heads);
        k.put(A + "rope.freq_base", (float) json.path("rope_theta").asDouble(10000));
        k.put(A + "attention.layer_norm_rms_epsilon", (float) json.path("rms_norm_eps").asDouble(1e-6));
        k.put(A + "expert_count", positive("n_routed_experts"));
        k.put(A + "expert_used_count", positive("num_experts_per_tok"));
        if (json.has("n_group")) k.put(A + "expert_group_count", positive("n_group"));
        if (json.has("topk_group")) k.put(A + "expert_group_used_count", positive("topk_group"));
        int headDim = json.has("head_dim") ? positive("head_dim") : hidden / heads;
        if (json.has("head_dim")) {
            k.put(A + "attention.key_length", headDim);
            k.put(A + "attention.value_length", headDim);
        }
        k.put(A + "rope.dimension_count", (int) (headDim * json.path("partial_rotary_factor").asDouble(0.5)));
        k.put(A + "expert_feed_forward_length", positive("moe_intermediate_size"));
        if (json.has("n_shared_experts")) k.put(A + "expert_shared_count", json.get("n_shared_experts").asInt());
        if (json.has("first_k_dense_replace")) k.put(A + "leading_dense_block_count", json.get("first_k_dense_replace").asInt());
        k.put(A + "expert_gating_func", 2);
        if (json.has("routed_scaling_factor")) k.put(A + "expert_weights_scale", (float) json.get("routed_scaling_factor").asDouble());
        if (json.has("norm_topk_prob")) k.put(A + "expert_weights_norm", json.get("norm_topk_prob").asBoolean());
        if (json.has("num_nextn_predict_layers")) k.put(A + "nextn_predict_layers", nextn);
        return k;
    }

    private int positive(String key) {
        JsonNode v = json.path(key);
        if (!v.canConvertToExactIntegral() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
            throw new Glm4jException(FILE + ": '" + key + "' must be a positive integer, found " + (v.isMissingNode() ? "nothing" : v));
        }
        return v.asInt();
    }

    /**
     * The GGUF keys from {@code glm4moe.block_count} to {@code glm4moe.nextn_predict_layers}, in the
     * converter's order; {@code general.file_type} goes right after {@code attention.value_length}.
     */
    public Map<String, Object> ggufKeys() {
        return keys;
    }

    /** The engine's view of these hyper-parameters. */
    public Glm4MoeConfig modelConfig(int vocabRows) {
        return Glm4MoeConfig.from(new Metadata(withArchitecture(), FILE), vocabRows);
    }

    private Map<String, Object> withArchitecture() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("general.architecture", Glm4MoeConfig.ARCHITECTURE);
        m.putAll(keys);
        return m;
    }

    public int vocabSize() {
        return positive("vocab_size");
    }

    public int hiddenLayers() {
        return positive("num_hidden_layers");
    }

    /** GLM-4.5 (355B) normalizes each head's q and k; GLM-4.5-Air does not. */
    public boolean qkNorm() {
        return json.path("use_qk_norm").asBoolean(false);
    }

    /** The {@code quantization_config} object, or a missing node. */
    JsonNode quantization() {
        return json.path("quantization_config");
    }
}
