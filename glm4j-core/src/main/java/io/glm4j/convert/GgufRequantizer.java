package io.glm4j.convert;

import io.glm4j.gguf.GgufFile;
import io.glm4j.model.FileType;
import io.glm4j.model.Glm4MoeConfig;
import io.glm4j.model.QuantMix;
import io.glm4j.model.TensorSpec;
import io.glm4j.tensor.Tensor;
import java.util.List;
import java.util.Set;

/**
 * What {@code llama-quantize IN OUT TYPE} writes (no importance matrix, no overrides): the input's
 * metadata copied byte for byte with {@code general.quantization_version} and {@code general.file_type}
 * set last, the tensors in its order (by block, then name) with {@link QuantMix}'s types, encoded by the
 * reference quantizers, and tensors that keep their type copied. An input that is already quantized is
 * decoded first (what llama-quantize does only with {@code --allow-requantize}).
 */
public final class GgufRequantizer {
    private static final Set<String> DROPPED = Set.of("general.quantization_version", "general.file_type",
            "split.no", "split.count", "split.tensors.count");

    private GgufRequantizer() {}

    public static GgufOutput plan(GgufFile in, FileType type) {
        Tensor embedding = in.tensor("token_embd.weight");
        Glm4MoeConfig c = Glm4MoeConfig.from(in.meta(), Math.toIntExact(embedding.ne()[embedding.ne().length - 1]));
        GgufOutput out = new GgufOutput();
        in.encodedMetadata().forEach((key, encoded) -> {
            if (!DROPPED.contains(key)) out.metadata().putEncoded(key, encoded);
        });
        out.metadata().put("general.quantization_version", 2).put("general.file_type", type.id);
        List<TensorSpec> stored = in.tensors().values().stream().map(t -> new TensorSpec(t.name(), t.type(), t.ne())).toList();
        for (TensorSpec t : QuantMix.inQuantizeOrder(QuantMix.of(type, c).apply(stored))) {
            out.add(t, TensorRows.of(in.tensor(t.name())));
        }
        out.requireWritable("quantizing to", type, c);
        return out;
    }
}
