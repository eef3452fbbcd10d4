package io.glm4j.model;

import java.util.Arrays;

/**
 * GLM-4.5's expert choice for one token: sigmoid scores, a bias added for selection only,
 * optional group limiting, top-k, then weights from the bias-free scores, renormalised and scaled.
 */
final class ExpertRouter {
    /** llama.cpp's floor on the weight sum before renormalising (6.1e-5). */
    private static final float MIN_WEIGHT_SUM = 6.103515625e-5f;

    private final Glm4MoeConfig config;

    ExpertRouter(Glm4MoeConfig config) {
        this.config = config;
    }

    /** The experts chosen for one token and their weights. */
    record Choice(int[] experts, float[] weights) {}

    /** @param routerLogits the router's E outputs for one token, from offset {@code off} */
    Choice choose(float[] routerLogits, int off, float[] selectionBias) {
        int e = config.expertCount();
        float[] scores = new float[e];
        float[] selection = new float[e];
        for (int i = 0; i < e; i++) {
            scores[i] = 1f / (1f + (float) Math.exp(-routerLogits[off + i]));
            selection[i] = scores[i] + selectionBias[i];
        }
        if (config.expertGroupCount() > 1) keepBestGroups(selection);
        int k = config.expertsUsed();
        int[] chosen = topK(selection, k);
        float[] weights = new float[k];
        float sum = 0;
        for (int j = 0; j < k; j++) {
            weights[j] = scores[chosen[j]];
            sum += weights[j];
        }
        float norm = config.normalizeExpertWeights() ? 1f / Math.max(sum, MIN_WEIGHT_SUM) : 1f;
        for (int j = 0; j < k; j++) weights[j] *= norm * config.expertWeightsScale();
        return new Choice(chosen, weights);
    }

    /** Ranks groups by the sum of their two best selection scores and excludes all but the best {@code expertGroupsUsed}. */
    private void keepBestGroups(float[] selection) {
        int groups = config.expertGroupCount();
        int size = selection.length / groups;
        float[] groupScore = new float[groups];
        for (int g = 0; g < groups; g++) {
            float[] members = Arrays.copyOfRange(selection, g * size, (g + 1) * size);
            int[] best = topK(members, Math.min(2, size));
            for (int b : best) groupScore[g] += members[b];
        }
        boolean[] keep = new boolean[groups];
        for (int g : topK(groupScore, config.expertGroupsUsed())) keep[g] = true;
        for (int g = 0; g < groups; g++) {
            if (!keep[g]) Arrays.fill(selection, g * size, (g + 1) * size, Float.NEGATIVE_INFINITY);
        }
    }

    /** Indices of the {@code k} largest values, largest first (lower index first on ties). */
    static int[] topK(float[] values, int k) {
        int[] best = new int[k];
        boolean[] taken = new boolean[values.length];
        for (int j = 0; j < k; j++) {
            int arg = -1;
            for (int i = 0; i < values.length; i++) {
                if (!taken[i] && (arg < 0 || values[i] > values[arg])) arg = i;
            }
            taken[arg] = true;
            best[j] = arg;
        }
        return best;
    }
}
