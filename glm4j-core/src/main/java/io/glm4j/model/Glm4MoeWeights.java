package io.glm4j.model;

import io.glm4j.Glm4jException;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.MatMul;
import io.glm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every tensor of a {@code glm4moe} model, by GGUF name from a {@link WeightSource}, checked against
 * the config's shapes. Matrices stay views into the mapped files; only norm weights and biases (a few
 * KB a layer) become arrays.
 */
public record Glm4MoeWeights(
        Tensor tokenEmbedding,
        List<LayerWeights> layers,
        float[] outputNorm,
        Tensor output,
        List<NextNWeights> nextn) {

    public static Glm4MoeWeights load(GgufFile file, Glm4MoeConfig c) {
        return load(WeightSource.of(file), c);
    }

    public static Glm4MoeWeights load(WeightSource source, Glm4MoeConfig c) {
        Loader l = new Loader(source);
        int h = c.hiddenSize();
        int vocab = c.vocabSize();
        Tensor embedding = l.matrix("token_embd.weight", h, vocab);
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.blockCount(); i++) layers.add(layer(l, c, i));
        float[] outputNorm = l.vector("output_norm.weight", h);
        Tensor output = l.matrix("output.weight", h, vocab);
        List<NextNWeights> nextn = new ArrayList<>();
        for (int i = c.blockCount(); i < c.blockCount() + c.nextnLayers(); i++) {
            String p = "blk." + i + ".nextn.";
            nextn.add(new NextNWeights(
                    l.vector(p + "enorm.weight", h),
                    l.vector(p + "hnorm.weight", h),
                    l.matrix(p + "eh_proj.weight", 2 * h, h),
                    layer(l, c, i),
                    l.has(p + "embed_tokens.weight") ? l.matrix(p + "embed_tokens.weight", h, vocab) : embedding,
                    l.has(p + "shared_head_norm.weight") ? l.vector(p + "shared_head_norm.weight", h) : outputNorm,
                    l.has(p + "shared_head_head.weight") ? l.matrix(p + "shared_head_head.weight", h, vocab) : output));
        }
        return new Glm4MoeWeights(embedding, List.copyOf(layers), outputNorm, output, List.copyOf(nextn));
    }

    /** Every matrix a forward pass multiplies with (the embedding table is only read by row), the NextN layers' included. */
    public List<Tensor> matrices() {
        List<Tensor> all = new ArrayList<>();
        for (LayerWeights layer : layers) addMatrices(layer, all);
        all.add(output);
        for (NextNWeights n : nextn) {
            all.add(n.ehProj());
            addMatrices(n.block(), all);
            all.add(n.head());
        }
        return all;
    }

    private static void addMatrices(LayerWeights layer, List<Tensor> all) {
        all.addAll(layer.attention().matrices());
        if (layer.dense() != null) all.addAll(layer.dense().matrices());
        if (layer.moe() != null) {
            all.add(layer.moe().router());
            for (FeedForwardWeights expert : layer.moe().experts()) all.addAll(expert.matrices());
            if (layer.moe().shared() != null) all.addAll(layer.moe().shared().matrices());
        }
    }

    private static LayerWeights layer(Loader l, Glm4MoeConfig c, int i) {
        String p = "blk." + i + ".";
        int h = c.hiddenSize();
        boolean qkNorm = l.has(p + "attn_q_norm.weight");
        AttentionWeights attention = new AttentionWeights(
                l.vector(p + "attn_norm.weight", h),
                l.matrix(p + "attn_q.weight", h, c.queryWidth()), l.vector(p + "attn_q.bias", c.queryWidth()),
                l.matrix(p + "attn_k.weight", h, c.kvWidth()), l.vector(p + "attn_k.bias", c.kvWidth()),
                l.matrix(p + "attn_v.weight", h, c.kvWidth()), l.vector(p + "attn_v.bias", c.kvWidth()),
                l.matrix(p + "attn_output.weight", c.queryWidth(), h),
                qkNorm ? l.vector(p + "attn_q_norm.weight", c.headDim()) : null,
                qkNorm ? l.vector(p + "attn_k_norm.weight", c.headDim()) : null);
        float[] ffnNorm = l.vector(p + "post_attention_norm.weight", h);
        if (c.isDense(i)) {
            return new LayerWeights(attention, ffnNorm, ffn(l, p, "", h, c.denseFfnSize()), null);
        }
        int fe = c.expertFfnSize();
        int e = c.expertCount();
        List<Tensor> gate = l.experts(p + "ffn_gate_exps.weight", h, fe, e);
        List<Tensor> up = l.experts(p + "ffn_up_exps.weight", h, fe, e);
        List<Tensor> down = l.experts(p + "ffn_down_exps.weight", fe, h, e);
        List<FeedForwardWeights> experts = new ArrayList<>(e);
        for (int x = 0; x < e; x++) experts.add(new FeedForwardWeights(gate.get(x), up.get(x), down.get(x)));
        MoeWeights moe = new MoeWeights(
                l.matrix(p + "ffn_gate_inp.weight", h, e),
                l.vector(p + "exp_probs_b.bias", e),
                List.copyOf(experts),
                c.sharedExpertCount() > 0 ? ffn(l, p, "_shexp", h, fe * c.sharedExpertCount()) : null);
        return new LayerWeights(attention, ffnNorm, null, moe);
    }

    private static FeedForwardWeights ffn(Loader l, String p, String suffix, int h, int width) {
        return new FeedForwardWeights(
                l.matrix(p + "ffn_gate" + suffix + ".weight", h, width),
                l.matrix(p + "ffn_up" + suffix + ".weight", h, width),
                l.matrix(p + "ffn_down" + suffix + ".weight", width, h));
    }

    /** Fetches tensors by name and checks each shape, so a mismatched file fails at load, by name. */
    private record Loader(WeightSource source) {
        boolean has(String name) {
            return source.find(name) != null;
        }

        Tensor shaped(String name, long... ne) {
            Tensor t = source.find(name);
            if (t == null) throw source.missing(name);
            return requireShape(name, t, ne);
        }

        static Tensor requireShape(String name, Tensor t, long... ne) {
            if (!Arrays.equals(t.ne(), ne)) {
                throw new Glm4jException("tensor '" + name + "' has shape " + Arrays.toString(t.ne())
                        + ", expected " + Arrays.toString(ne) + " for this model's hyper-parameters");
            }
            return t;
        }

        Tensor matrix(String name, int cols, int rows) {
            Tensor t = shaped(name, cols, rows);
            MatMul.requireSupported(t);
            return t;
        }

        /** A GGUF stack must be {@code [cols, rows, count]}; separate experts {@code [cols, rows]} each. */
        List<Tensor> experts(String name, int cols, int rows, int count) {
            Tensor stack = source.find(name);
            if (stack != null) requireShape(name, stack, cols, rows, count);
            List<Tensor> experts = source.findExperts(name);
            if (experts == null) throw source.missing(name);
            if (experts.size() != count) throw new Glm4jException("'" + name + "' has " + experts.size() + " experts, expected " + count);
            for (Tensor t : experts) {
                requireShape(t.name(), t, cols, rows);
                MatMul.requireSupported(t);
            }
            return experts;
        }

        float[] vector(String name, int n) {
            Tensor t = shaped(name, n);
            MatMul.requireSupported(t);
            return t.toFloats();
        }
    }
}
