package io.glm4j.model.synth;

import io.glm4j.Glm4jException;
import io.glm4j.model.Glm4MoeConfig;
import io.glm4j.model.KnownModel;

/**
 * The shapes {@code glm4j synth} writes: {@code tiny} (the dimensions of the shared glm45 test
 * fixture), {@code air} (GLM-4.5-Air's real dimensions), and {@code air-slice} (GLM-4.5-Air's
 * widths with one dense and {@code N} MoE layers plus the NextN block).
 *
 * @param normalTokens byte-level BPE tokens before the 36 added tokens (568 in the fixture, 151329 in GLM-4.5)
 */
public record SynthPreset(String id, String displayName, Glm4MoeConfig config, int normalTokens) {

    public static final int DEFAULT_SLICE_MOE_LAYERS = 3;
    private static final int GLM45_NORMAL_TOKENS = 151329;

    /** Hidden 256, 4 heads (2 KV) of 64, 4 layers (1 dense) + NextN, 16 experts of 96, top-4, vocab 640. */
    public static SynthPreset tiny() {
        Glm4MoeConfig c = new Glm4MoeConfig(640, 4096, 256, 4, 1, 4, 2, 64, 32, 1e6, 1e-5f,
                512, 16, 4, 96, 1, 1, 1, 1, true, 1.0f);
        return new SynthPreset("tiny", "Synthetic tiny GLM-4.5-Air (random weights)", c, 568);
    }

    public static SynthPreset air() {
        return new SynthPreset("air", "Synthetic GLM-4.5-Air (random weights)", KnownModel.GLM_4_5_AIR.config(), GLM45_NORMAL_TOKENS);
    }

    public static SynthPreset airSlice(int moeLayers) {
        if (moeLayers < 1 || moeLayers > 45) throw new Glm4jException("--moe-layers must be 1..45, got " + moeLayers);
        Glm4MoeConfig a = KnownModel.GLM_4_5_AIR.config();
        Glm4MoeConfig c = new Glm4MoeConfig(a.vocabSize(), a.contextLength(), a.hiddenSize(), 1 + moeLayers, 1,
                a.headCount(), a.kvHeadCount(), a.headDim(), a.ropeDims(), a.ropeTheta(), a.rmsEps(), a.denseFfnSize(),
                a.expertCount(), a.expertsUsed(), a.expertFfnSize(), a.sharedExpertCount(), 1,
                a.expertGroupCount(), a.expertGroupsUsed(), a.normalizeExpertWeights(), a.expertWeightsScale());
        return new SynthPreset("air-slice", "Synthetic GLM-4.5-Air slice, 1 dense + " + moeLayers + " MoE layers (random weights)",
                c, GLM45_NORMAL_TOKENS);
    }

    /** A preset by name; {@code moeLayers} applies to {@code air-slice} only (null: its default of 3). */
    public static SynthPreset parse(String id, Integer moeLayers) {
        if (moeLayers != null && !id.equals("air-slice")) throw new Glm4jException("--moe-layers applies only to --preset air-slice");
        return switch (id) {
            case "tiny" -> tiny();
            case "air" -> air();
            case "air-slice" -> airSlice(moeLayers != null ? moeLayers : DEFAULT_SLICE_MOE_LAYERS);
            default -> throw new Glm4jException("unknown preset '" + id + "'; known: tiny, air, air-slice");
        };
    }
}
