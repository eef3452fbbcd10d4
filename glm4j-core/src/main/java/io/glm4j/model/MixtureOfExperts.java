package io.glm4j.model;

import io.glm4j.tensor.MatMul;
import io.glm4j.tensor.WorkerPool;
import java.util.ArrayList;
import java.util.List;

/**
 * The MoE FFN over a batch: route every token, then run each chosen expert once on all the
 * tokens that chose it (so a batch reads each expert's weights once), and add the shared expert.
 */
final class MixtureOfExperts {
    private final Glm4MoeConfig config;
    private final ExpertRouter router;
    private final WorkerPool pool;

    MixtureOfExperts(Glm4MoeConfig config, WorkerPool pool) {
        this.config = config;
        this.router = new ExpertRouter(config);
        this.pool = pool;
    }

    float[] forward(MoeWeights w, float[] x, int rows) {
        int h = config.hiddenSize();
        int e = config.expertCount();
        float[] routerLogits = new float[rows * e];
        MatMul.multiply(pool, w.router(), x, rows, routerLogits);
        List<List<int[]>> tokensOf = new ArrayList<>(); // per expert: {token, choice slot}
        for (int i = 0; i < e; i++) tokensOf.add(new ArrayList<>());
        float[][] weights = new float[rows][];
        for (int t = 0; t < rows; t++) {
            ExpertRouter.Choice c = router.choose(routerLogits, t * e, w.selectionBias());
            weights[t] = c.weights();
            for (int j = 0; j < c.experts().length; j++) tokensOf.get(c.experts()[j]).add(new int[] {t, j});
        }
        float[] out = w.shared() != null ? FeedForward.forward(pool, w.shared(), x, rows) : new float[rows * h];
        for (int expert = 0; expert < e; expert++) {
            List<int[]> assigned = tokensOf.get(expert);
            if (assigned.isEmpty()) continue;
            float[] gathered = new float[assigned.size() * h];
            for (int r = 0; r < assigned.size(); r++) System.arraycopy(x, assigned.get(r)[0] * h, gathered, r * h, h);
            float[] y = FeedForward.forward(pool, w.expert(expert), gathered, assigned.size(), rows);
            for (int r = 0; r < assigned.size(); r++) {
                int t = assigned.get(r)[0];
                float weight = weights[t][assigned.get(r)[1]];
                for (int i = 0; i < h; i++) out[t * h + i] += weight * y[r * h + i];
            }
        }
        return out;
    }
}
