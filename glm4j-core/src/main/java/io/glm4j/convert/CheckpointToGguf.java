package io.glm4j.convert;

import io.glm4j.gguf.GgufWriter;
import io.glm4j.hf.HfCheckpoint;
import io.glm4j.hf.HfTensorNames;
import io.glm4j.hf.HfVocabulary;
import io.glm4j.model.FileType;
import io.glm4j.model.Glm4MoeConfig;
import io.glm4j.model.Glm4MoeTensors;
import io.glm4j.model.Glm4MoeWeights;
import io.glm4j.model.QuantMix;
import io.glm4j.model.TensorSpec;
import io.glm4j.model.WeightSource;
import io.glm4j.safetensors.Dtype;
import io.glm4j.safetensors.SafetensorsFile;
import io.glm4j.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The GGUF that llama.cpp's {@code convert_hf_to_gguf.py} writes for a {@code Glm4MoeForCausalLM}
 * checkpoint: its metadata keys in its order and types, the tokenizer from {@code tokenizer.json}, the
 * chat template, and every tensor under its GGUF name with the routed experts stacked and the NextN
 * block kept — in the tensor order of {@link Glm4MoeTensors} (the converter's own order follows the
 * shards; llama.cpp does not depend on it). FP8 weights are dequantized as the converter does
 * ({@code fp8 · scale} in float32). Storage types follow {@link QuantMix}: for F32, F16, BF16 and Q8_0
 * that is the converter's choice (1-D tensors, norms, biases and the router stay F32), for the other
 * types llama-quantize's, as if its output were quantized in the same pass.
 */
public final class CheckpointToGguf {
    private static final String A = Glm4MoeConfig.ARCHITECTURE + ".";

    private CheckpointToGguf() {}

    /**
     * The file type llama.cpp's {@code --outtype auto} picks: that of the first matrix stored as BF16 or
     * F16 (not {@code torch_dtype}, which fine-tunes sometimes get wrong), else F16.
     */
    public static FileType defaultType(HfCheckpoint checkpoint) {
        for (String name : checkpoint.shards().names()) {
            SafetensorsFile.Entry e = checkpoint.shards().entry(name);
            if (e.shape().length < 2) continue;
            if (e.dtype() == Dtype.BF16) return FileType.BF16;
            if (e.dtype() == Dtype.F16) return FileType.F16;
        }
        return FileType.F16;
    }

    public static GgufOutput plan(HfCheckpoint checkpoint, FileType type) {
        Glm4MoeConfig c = checkpoint.modelConfig();
        WeightSource weights = checkpoint.weights();
        Glm4MoeWeights.load(weights, c); // checks every shape against the config, as loading the model would
        GgufOutput out = new GgufOutput();
        putMetadata(out.metadata(), checkpoint, type);
        for (TensorSpec t : QuantMix.of(type, c).apply(Glm4MoeTensors.of(c, checkpoint.config().qkNorm()))) {
            if (HfTensorNames.isExpertStack(t.name())) {
                List<Tensor> experts = weights.findExperts(t.name());
                if (experts == null) throw weights.missing(t.name());
                out.add(t, new TensorRows(experts));
            } else {
                Tensor source = weights.find(t.name());
                if (source != null) out.add(t, TensorRows.of(source));
                else if (!optional(t.name())) throw weights.missing(t.name());
            }
        }
        out.requireWritable("converting to", type, c);
        return out;
    }

    /** The NextN block may lack its own embedding and head; llama.cpp then uses the main ones. */
    private static boolean optional(String name) {
        return name.endsWith(".nextn.embed_tokens.weight") || name.endsWith(".nextn.shared_head_head.weight")
                || name.endsWith(".nextn.shared_head_norm.weight");
    }

    private static void putMetadata(GgufWriter w, HfCheckpoint checkpoint, FileType type) {
        w.put("general.architecture", Glm4MoeConfig.ARCHITECTURE)
                .put("general.type", "model")
                .put("general.name", checkpoint.directory().toAbsolutePath().normalize().getFileName().toString());
        for (Map.Entry<String, Object> e : checkpoint.config().ggufKeys().entrySet()) {
            if (e.getKey().equals(A + "rope.dimension_count")) w.put("general.file_type", type.id);
            w.put(e.getKey(), e.getValue());
        }
        HfVocabulary vocab = HfVocabulary.read(checkpoint.directory(), checkpoint.config().vocabSize());
        w.put("tokenizer.ggml.model", "gpt2")
                .put("tokenizer.ggml.pre", vocab.preTokenizer())
                .put("tokenizer.ggml.tokens", vocab.tokens())
                .put("tokenizer.ggml.token_type", vocab.types())
                .put("tokenizer.ggml.merges", vocab.merges());
        vocab.specialIds().forEach((role, id) -> w.put("tokenizer.ggml." + role + "_token_id", id));
        vocab.addFlags().forEach((role, add) -> w.put("tokenizer.ggml.add_" + role + "_token", add));
        String template = converterTemplate(checkpoint);
        if (template != null) w.put("tokenizer.chat_template", template);
        w.put("general.quantization_version", 2);
    }

    /** gguf-py prefers {@code tokenizer_config.json}'s template to {@code chat_template.jinja}. */
    private static String converterTemplate(HfCheckpoint checkpoint) {
        String fromConfig = HfCheckpoint.tokenizerConfigTemplate(checkpoint.directory());
        return fromConfig != null ? fromConfig : checkpoint.chatTemplate();
    }
}
