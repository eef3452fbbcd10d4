package io.glm4j.model;

import io.glm4j.tensor.MatMul;
import io.glm4j.tensor.Tensor;
import io.glm4j.tensor.VectorMath;
import io.glm4j.tensor.WorkerPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The MoE FFN over a batch: route every token, then run each chosen expert once on all the
 * tokens that chose it (so a batch reads each expert's weights once), and add the shared expert.
 */
final class MixtureOfExperts {
    private final Glm4MoeConfig config;
    private final ExpertRouter router;
    private final WorkerPool pool;
    /** Reused per thread: the router logits, the output, then for each of up to {@code experts} FFNs its gate, up and down results. */
    private static final int ROUTER = 0, OUT = 1, PER_FFN = 2;
    private final ThreadLocal<Scratch> scratch;

    MixtureOfExperts(Glm4MoeConfig config, WorkerPool pool) {
        this.config = config;
        this.router = new ExpertRouter(config);
        this.pool = pool;
        this.scratch = Scratch.perThread(PER_FFN + 3 * (config.expertsUsed() + 1));
    }

    /** The FFN output of every row of {@code x}; for one row in a buffer this thread reuses on its next call. */
    float[] forward(MoeWeights w, float[] x, int rows) {
        int h = config.hiddenSize();
        int e = config.expertCount();
        float[] routerLogits = scratch.get().floats(ROUTER, rows * e);
        MatMul.multiply(pool, w.router(), x, rows, routerLogits);
        if (rows == 1) return forwardToken(w, x, router.choose(routerLogits, 0, w.selectionBias()));
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
            float[] y = FeedForward.forward(pool, w.expert(expert), gathered, assigned.size(), rows, new float[assigned.size() * h]);
            for (int r = 0; r < assigned.size(); r++) {
                int t = assigned.get(r)[0];
                float weight = weights[t][assigned.get(r)[1]];
                for (int i = 0; i < h; i++) out[t * h + i] += weight * y[r * h + i];
            }
        }
        return out;
    }

    /**
     * One token (a decode step): the gate and up matrices of every chosen expert and the shared
     * one in one pass of the pool, then their down matrices in another, instead of two passes per
     * expert. The experts' outputs are added in expert order after the shared one's, as
     * {@link #forward} adds them, so a token gets the same result alone as in a batch.
     */
    private float[] forwardToken(MoeWeights w, float[] x, ExpertRouter.Choice choice) {
        int h = config.hiddenSize();
        int[] experts = choice.experts();
        int[] order = new int[experts.length]; // choice slots by expert index (insertion sort of 8)
        for (int j = 0; j < experts.length; j++) {
            int k = j;
            for (; k > 0 && experts[order[k - 1]] > experts[j]; k--) order[k] = order[k - 1];
            order[k] = j;
        }
        List<FeedForwardWeights> ffns = new ArrayList<>();
        if (w.shared() != null) ffns.add(w.shared());
        for (int j : order) ffns.add(w.expert(experts[j]));
        int n = ffns.size();
        Scratch buffers = scratch.get();
        Tensor[] gateUp = new Tensor[2 * n];
        float[][] inputs = new float[2 * n][];
        float[][] gateUpOut = new float[2 * n][];
        for (int i = 0; i < n; i++) {
            gateUp[2 * i] = ffns.get(i).gate();
            gateUp[2 * i + 1] = ffns.get(i).up();
            inputs[2 * i] = inputs[2 * i + 1] = x;
            gateUpOut[2 * i] = buffers.floats(PER_FFN + 3 * i, ffns.get(i).gate().rows());
            gateUpOut[2 * i + 1] = buffers.floats(PER_FFN + 3 * i + 1, ffns.get(i).up().rows());
        }
        MatMul.multiplyEach(pool, gateUp, inputs, gateUpOut);
        Tensor[] down = new Tensor[n];
        float[][] hidden = new float[n][];
        float[][] downOut = new float[n][];
        for (int i = 0; i < n; i++) {
            VectorMath.siluMultiply(gateUpOut[2 * i], gateUpOut[2 * i + 1], gateUpOut[2 * i].length);
            down[i] = ffns.get(i).down();
            hidden[i] = gateUpOut[2 * i];
            downOut[i] = buffers.floats(PER_FFN + 3 * i + 2, h);
        }
        MatMul.multiplyEach(pool, down, hidden, downOut);
        int first = w.shared() != null ? 1 : 0;
        float[] out = first == 1 ? downOut[0] : zeroed(buffers.floats(OUT, h));
        for (int i = first; i < n; i++) {
            float weight = choice.weights()[order[i - first]];
            for (int k = 0; k < h; k++) out[k] += weight * downOut[i][k];
        }
        return out;
    }

    private static float[] zeroed(float[] buffer) {
        Arrays.fill(buffer, 0f);
        return buffer;
    }
}
