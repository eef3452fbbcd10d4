package io.glm4j.perf;

import io.glm4j.model.FeedForwardWeights;
import io.glm4j.model.Glm4MoeConfig;
import io.glm4j.model.Glm4MoeWeights;
import io.glm4j.model.LayerWeights;
import io.glm4j.model.MoeWeights;
import io.glm4j.tensor.Tensor;
import java.util.List;

/**
 * Bytes of stored weights one decoded token streams from memory: every matrix of the main
 * layers (routed experts only for the {@code expertsUsed} a token chooses), the LM head and one
 * embedding row. Norm weights and biases (a few KB, held as arrays) are left out, and so is the
 * NextN block, which plain decoding does not run.
 */
public final class WeightTraffic {
    private WeightTraffic() {}

    public static long bytesPerDecodedToken(Glm4MoeConfig config, Glm4MoeWeights w) {
        long bytes = w.tokenEmbedding().rowBytes() + bytes(w.output());
        for (LayerWeights layer : w.layers()) {
            bytes += bytes(layer.attention().matrices());
            if (layer.isMoe()) {
                MoeWeights moe = layer.moe();
                bytes += bytes(moe.router());
                bytes += config.expertsUsed() * bytes(moe.expert(0));
                if (moe.shared() != null) bytes += bytes(moe.shared());
            } else {
                bytes += bytes(layer.dense());
            }
        }
        return bytes;
    }

    private static long bytes(FeedForwardWeights f) {
        return bytes(f.matrices());
    }

    private static long bytes(List<Tensor> matrices) {
        return matrices.stream().mapToLong(WeightTraffic::bytes).sum();
    }

    private static long bytes(Tensor t) {
        return t.rowBytes() * t.rows();
    }
}
