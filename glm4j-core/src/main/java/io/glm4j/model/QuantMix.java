package io.glm4j.model;

import io.glm4j.tensor.GgmlType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The storage type {@code llama-quantize} (llama.cpp {@code llama_tensor_get_type}, no importance
 * matrix, no overrides) gives each tensor of a {@code glm4moe} model for a {@link FileType}:
 * vectors, norms and the router stay as they are; the mixes (_S/_M/_L, Q2_K, IQ4) raise
 * {@code output}, {@code attn_v}, {@code ffn_down} and {@code attn_output} in some layers; and a
 * K-quant that does not fit a row width (1408 and 10944 are not multiples of 256) falls back to a
 * 32-block type. Rules for other architectures (Falcon, 70B Llama, 8-expert models) and for the
 * IQ1–IQ3 types, which need an importance matrix, are left out.
 */
public final class QuantMix {
    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.");

    private final FileType fileType;
    private final int layers;
    private final int gqa;

    /** {@code layers} counts every block including NextN ({@code block_count}); {@code gqa} is heads per KV head. */
    public QuantMix(FileType fileType, int layers, int gqa) {
        this.fileType = fileType;
        this.layers = layers;
        this.gqa = gqa;
    }

    public static QuantMix of(FileType fileType, Glm4MoeConfig c) {
        return new QuantMix(fileType, c.blockCount() + c.nextnLayers(), c.headCount() / c.kvHeadCount());
    }

    /** The tensors in the order llama-quantize visits and writes them: by block number (others first), then by name. */
    public static List<TensorSpec> inQuantizeOrder(List<TensorSpec> tensors) {
        List<TensorSpec> visit = new ArrayList<>(tensors);
        visit.sort(Comparator.comparingInt((TensorSpec t) -> layerOf(t.name())).thenComparing(TensorSpec::name));
        return visit;
    }

    /** The tensors with the types llama-quantize would give them, in the order given. */
    public List<TensorSpec> apply(List<TensorSpec> tensors) {
        // the attn_v rule counts tensors in llama-quantize's visiting order
        List<TensorSpec> visit = inQuantizeOrder(tensors);
        int attnV = (int) tensors.stream().filter(t -> t.name().contains("attn_v.weight")).count();
        Map<String, GgmlType> chosen = new HashMap<>();
        int attnVSeen = 0;
        for (TensorSpec t : visit) {
            if (!quantizable(t)) continue;
            GgmlType type = fileType.defaultType;
            if (fileType.isQuantized()) {
                type = mixed(t, type, attnVSeen, attnV);
                type = fallback(t, type);
            }
            if (t.name().contains("attn_v.weight")) attnVSeen++;
            chosen.put(t.name(), type);
        }
        return tensors.stream().map(t -> t.withType(chosen.getOrDefault(t.name(), t.type()))).toList();
    }

    /** Matrices (2-D or stacked 3-D) named {@code *weight}, except norms and the expert router. */
    private static boolean quantizable(TensorSpec t) {
        long dims = t.ne().length;
        while (dims > 1 && t.ne()[(int) dims - 1] == 1) dims--;
        String n = t.name();
        return dims >= 2 && n.endsWith("weight") && !n.contains("_norm.weight") && !n.contains("ffn_gate_inp.weight");
    }

    private GgmlType mixed(TensorSpec t, GgmlType type, int attnVIndex, int attnVCount) {
        String n = t.name();
        int layer = layerOf(n);
        if (n.equals("output.weight")) {
            if (t.cols() % type.blockSize != 0) return GgmlType.Q8_0;
            return type == GgmlType.Q8_0 ? type : GgmlType.Q6_K;
        }
        if (n.contains("attn_v.weight")) {
            return switch (fileType) {
                case Q2_K -> gqa >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
                case Q3_K_M -> attnVIndex < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
                case Q3_K_L -> GgmlType.Q5_K;
                case IQ4_NL, IQ4_XS -> gqa >= 4 ? GgmlType.Q5_K : type;
                case Q4_K_M, Q5_K_M -> moreBits(attnVIndex, attnVCount) ? GgmlType.Q6_K : type;
                case Q4_K_S -> attnVIndex < 4 ? GgmlType.Q5_K : type;
                default -> type;
            };
        }
        if (n.contains("ffn_down")) {
            return switch (fileType) {
                case Q2_K -> GgmlType.Q3_K;
                case Q3_K_M -> layer < layers / 16 ? GgmlType.Q5_K : GgmlType.Q4_K;
                case Q3_K_L -> GgmlType.Q5_K;
                case Q4_K_M, Q5_K_M -> moreBits(layer, layers) ? GgmlType.Q6_K : type;
                case IQ4_NL, IQ4_XS, Q4_K_S -> layer < layers / 8 ? GgmlType.Q5_K : type;
                default -> type;
            };
        }
        if (n.contains("attn_output.weight")) {
            return switch (fileType) {
                case Q2_K -> GgmlType.Q3_K;
                case Q3_K_M -> GgmlType.Q4_K;
                case Q3_K_L -> GgmlType.Q5_K;
                default -> type;
            };
        }
        return type;
    }

    /** llama.cpp's {@code use_more_bits}: the first and last eighth of the layers and every third one between. */
    private static boolean moreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    /** A type whose blocks do not fit the row width is replaced as llama.cpp's {@code tensor_type_fallback} does. */
    private static GgmlType fallback(TensorSpec t, GgmlType type) {
        if (t.cols() % type.blockSize == 0) return type;
        GgmlType replacement = switch (type) {
            case Q2_K, Q3_K -> GgmlType.Q4_0;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            case IQ4_XS -> GgmlType.IQ4_NL;
            default -> throw new IllegalStateException("no fallback for " + type + " in " + t.name());
        };
        return t.cols() % replacement.blockSize == 0 ? replacement : GgmlType.F16;
    }

    /** The block number of {@code blk.N.*} tensors; −1 for the others, which llama.cpp visits first. */
    private static int layerOf(String name) {
        Matcher m = LAYER.matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
