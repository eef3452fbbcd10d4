package io.glm4j.hf;

import io.glm4j.Glm4jException;
import io.glm4j.model.WeightSource;
import io.glm4j.safetensors.SafetensorsShards;
import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A checkpoint's tensors under their GGUF names: views into the shards, FP8 weights with their scales,
 * and each routed expert as its own matrix. Tensors keep the GGUF name so errors and logs read the
 * same for both sources.
 */
final class CheckpointWeights implements WeightSource {
    private final SafetensorsShards shards;
    private final Fp8Scales fp8;
    private final int experts;

    CheckpointWeights(SafetensorsShards shards, Fp8Scales fp8, int experts) {
        this.shards = shards;
        this.fp8 = fp8;
        this.experts = experts;
    }

    @Override
    public Tensor find(String name) {
        String hf = HfTensorNames.of(name);
        return hf != null && shards.has(hf) ? view(hf, name) : null;
    }

    @Override
    public List<Tensor> findExperts(String name) {
        if (!HfTensorNames.isExpertStack(name)) return WeightSource.super.findExperts(name);
        if (!shards.has(HfTensorNames.ofExpert(name, 0))) return null;
        List<Tensor> list = new ArrayList<>(experts);
        for (int e = 0; e < experts; e++) {
            String hf = HfTensorNames.ofExpert(name, e);
            if (!shards.has(hf)) throw new Glm4jException("the checkpoint in " + shards.directory() + " has no tensor '" + hf + "'");
            list.add(view(hf, name + "[" + e + "]"));
        }
        return list;
    }

    @Override
    public Glm4jException missing(String name) {
        String hf = HfTensorNames.of(name);
        String what = hf == null ? HfTensorNames.isExpertStack(name) ? HfTensorNames.ofExpert(name, 0) : name : hf;
        return new Glm4jException("the checkpoint in " + shards.directory() + " has no tensor '" + what + "' (" + name + ")");
    }

    private Tensor view(String hf, String ggufName) {
        Tensor t = shards.tensor(hf);
        Tensor named = new Tensor(ggufName, t.type(), t.ne(), t.data());
        return t.type() == GgmlType.F8_E4M3 ? fp8.attach(hf, named) : named;
    }
}
