package io.glm4j.model;

import io.glm4j.Glm4jException;
import io.glm4j.gguf.Metadata;

/**
 * Hyper-parameters of a {@code glm4moe} model (GLM-4.5, GLM-4.5-Air, GLM-4.6), read from the GGUF
 * keys that llama.cpp's converter writes, with llama.cpp's defaults where older files lack a key.
 *
 * @param blockCount       main decoder layers, not counting the NextN (MTP) blocks
 * @param nextnLayers      NextN blocks stored after the main layers
 * @param ropeDims         leading dims of each head that RoPE rotates (NEOX pairing)
 * @param leadingDenseBlocks layers {@code < leadingDenseBlocks} use the dense FFN, the rest MoE
 */
public record Glm4MoeConfig(
        int vocabSize,
        int contextLength,
        int hiddenSize,
        int blockCount,
        int nextnLayers,
        int headCount,
        int kvHeadCount,
        int headDim,
        int ropeDims,
        double ropeTheta,
        float rmsEps,
        int denseFfnSize,
        int expertCount,
        int expertsUsed,
        int expertFfnSize,
        int sharedExpertCount,
        int leadingDenseBlocks,
        int expertGroupCount,
        int expertGroupsUsed,
        boolean normalizeExpertWeights,
        float expertWeightsScale) {

    public static final String ARCHITECTURE = "glm4moe";
    /** llama.cpp's {@code LLAMA_EXPERT_GATING_FUNC_TYPE_SIGMOID}; GLM-4.5 routes with sigmoid scores. */
    private static final int GATING_SIGMOID = 2;

    public static Glm4MoeConfig from(Metadata m, int vocabRows) {
        String arch = m.string("general.architecture");
        if (!arch.equals(ARCHITECTURE)) {
            throw new Glm4jException(m.fileName() + " is a '" + arch + "' model; glm4j runs '" + ARCHITECTURE + "' (GLM-4.5 family) models");
        }
        String p = ARCHITECTURE + ".";
        int blocksWithNextn = m.intInRange(p + "block_count", 1, 4096);
        int nextn = (int) m.integer(p + "nextn_predict_layers", 0);
        if (nextn < 0 || nextn >= blocksWithNextn) {
            throw new Glm4jException(m.fileName() + ": nextn_predict_layers " + nextn + " leaves no main layers of " + blocksWithNextn);
        }
        int hidden = m.intInRange(p + "embedding_length", 1, 1 << 20);
        int heads = m.intInRange(p + "attention.head_count", 1, 1 << 14);
        int kvHeads = m.intInRange(p + "attention.head_count_kv", 1, heads);
        if (heads % kvHeads != 0) throw new Glm4jException(m.fileName() + ": " + heads + " heads do not divide into " + kvHeads + " KV heads");
        int headDim = m.has(p + "attention.key_length") ? m.intInRange(p + "attention.key_length", 1, 1 << 14) : hidden / heads;
        int valueDim = m.has(p + "attention.value_length") ? m.intInRange(p + "attention.value_length", 1, 1 << 14) : headDim;
        if (valueDim != headDim) throw new Glm4jException(m.fileName() + ": key length " + headDim + " differs from value length " + valueDim);
        int ropeDims = m.has(p + "rope.dimension_count") ? m.intInRange(p + "rope.dimension_count", 0, headDim) : headDim;
        if (ropeDims % 2 != 0) throw new Glm4jException(m.fileName() + ": rope.dimension_count " + ropeDims + " is odd");
        int experts = m.intInRange(p + "expert_count", 1, 1 << 16);
        int used = m.intInRange(p + "expert_used_count", 1, experts);
        int gating = (int) m.integer(p + "expert_gating_func", GATING_SIGMOID);
        if (gating != GATING_SIGMOID) {
            throw new Glm4jException(m.fileName() + ": expert_gating_func " + gating + " is not sigmoid (2), which glm4moe requires");
        }
        int groups = (int) m.integer(p + "expert_group_count", 1);
        int groupsUsed = (int) m.integer(p + "expert_group_used_count", groups);
        if (groups < 1 || experts % groups != 0 || groupsUsed < 1 || groupsUsed > groups || used > groupsUsed * (experts / groups)) {
            throw new Glm4jException(m.fileName() + ": expert groups " + groupsUsed + " of " + groups + " cannot route " + used + " of " + experts + " experts");
        }
        return new Glm4MoeConfig(
                vocabRows,
                m.intInRange(p + "context_length", 1, Integer.MAX_VALUE),
                hidden,
                blocksWithNextn - nextn,
                nextn,
                heads,
                kvHeads,
                headDim,
                ropeDims,
                m.real(p + "rope.freq_base", 10000.0),
                (float) m.real(p + "attention.layer_norm_rms_epsilon"),
                m.intInRange(p + "feed_forward_length", 1, 1 << 20),
                experts,
                used,
                m.intInRange(p + "expert_feed_forward_length", 1, 1 << 20),
                (int) m.integer(p + "expert_shared_count", 0),
                (int) m.integer(p + "leading_dense_block_count", 0),
                groups,
                groupsUsed,
                m.bool(p + "expert_weights_norm", false),
                (float) m.real(p + "expert_weights_scale", 1.0));
    }

    public int queryWidth() {
        return headCount * headDim;
    }

    public int kvWidth() {
        return kvHeadCount * headDim;
    }

    public boolean isDense(int layer) {
        return layer < leadingDenseBlocks;
    }
}
