package io.glm4j.hf;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.Glm4jException;
import io.glm4j.safetensors.SafetensorsFile;
import io.glm4j.safetensors.SafetensorsShards;
import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.Tensor;
import io.glm4j.tensor.WeightScales;
import java.util.Arrays;

/**
 * The scales of an FP8 checkpoint's weights. Z.ai's GLM-4.5(-Air)-FP8 is compressed-tensors
 * "float-quantized" with one scale per output row ({@code <linear>.weight_scale}, {@code [out, 1]});
 * also read are one scale per tensor, block scales ({@code weight_block_size} or compressed-tensors'
 * {@code block_structure}), and DeepSeek-style {@code weight_scale_inv} (a multiplier despite its name).
 * Whether a weight is FP8 is decided per tensor, by its dtype, as transformers and vLLM do; a
 * {@code quantization_config} naming any other scheme (int4 packs, GPTQ, AWQ, NVFP4, ...) is refused up front.
 */
final class Fp8Scales {
    private final SafetensorsShards shards;
    private final int[] block; // rows, cols of a scale block; null if the config names none

    Fp8Scales(SafetensorsShards shards, JsonNode quantization) {
        this.shards = shards;
        this.block = requireSupported(quantization);
    }

    /** Checks the scheme and returns its block size, if any. */
    private static int[] requireSupported(JsonNode q) {
        if (q.isMissingNode() || q.isNull()) return null;
        String method = q.path("quant_method").asText("");
        switch (method) {
            case "fp8" -> {
                return blockOf(q.path("weight_block_size"));
            }
            case "compressed-tensors" -> {
                String format = q.path("format").asText("");
                if (!format.equals("float-quantized")) {
                    throw new Glm4jException(HfConfig.FILE + ": compressed-tensors format '" + format
                            + "' is not supported (glm4j reads float-quantized FP8)");
                }
                int[] block = null;
                for (JsonNode group : q.path("config_groups")) {
                    JsonNode w = group.path("weights");
                    String strategy = w.path("strategy").asText("");
                    if (!w.path("type").asText("").equals("float") || w.path("num_bits").asInt() != 8
                            || !(strategy.equals("channel") || strategy.equals("tensor") || strategy.equals("block"))) {
                        throw new Glm4jException(HfConfig.FILE + ": compressed-tensors weights " + w.path("type").asText("?") + " "
                                + w.path("num_bits").asText("?") + "-bit with strategy '" + strategy
                                + "' are not supported (glm4j reads 8-bit float weights per channel, tensor or block)");
                    }
                    if (strategy.equals("block")) block = blockOf(w.path("block_structure"));
                }
                return block;
            }
            default -> throw new Glm4jException(HfConfig.FILE + ": quantization method '" + method
                    + "' is not supported (glm4j reads BF16, F16 and F32 checkpoints and FP8 ones: compressed-tensors or fp8)");
        }
    }

    private static int[] blockOf(JsonNode size) {
        if (size.isMissingNode() || size.isNull()) return null;
        if (!size.isArray() || size.size() != 2 || size.get(0).asInt() < 1 || size.get(1).asInt() < 1) {
            throw new Glm4jException(HfConfig.FILE + ": FP8 block size " + size + " is not two positive integers");
        }
        return new int[] {size.get(0).asInt(), size.get(1).asInt()};
    }

    /** The FP8 weight {@code hfName} (a view of {@code [rows, cols]} values) with its scales attached. */
    Tensor attach(String hfName, Tensor weight) {
        String scaleName = hfName + "_scale";
        if (!shards.has(scaleName)) scaleName = hfName + "_scale_inv";
        if (!shards.has(scaleName)) {
            throw new Glm4jException("FP8 weight '" + hfName + "' has no " + hfName + "_scale (or _scale_inv) beside it");
        }
        SafetensorsFile.Entry entry = shards.entry(scaleName);
        Tensor values = shards.tensor(scaleName);
        if (values.type() == GgmlType.F8_E4M3) throw new Glm4jException("scale '" + scaleName + "' is itself FP8");
        long rows = weight.elementCount() / weight.cols(), cols = weight.cols(), count = values.elementCount();
        int blockRows, blockCols;
        if (count == 1) {
            blockRows = Math.toIntExact(rows);
            blockCols = Math.toIntExact(cols);
        } else if (count == rows && (entry.shape().length == 1 || entry.shape()[1] == 1)) {
            blockRows = 1;
            blockCols = Math.toIntExact(cols);
        } else if (block != null && entry.shape().length == 2
                && entry.shape()[0] == ceil(rows, block[0]) && entry.shape()[1] == ceil(cols, block[1])) {
            blockRows = block[0];
            blockCols = block[1];
        } else {
            throw new Glm4jException("scale '" + scaleName + "' has shape " + Arrays.toString(entry.shape()) + ", which fits neither one scale per row"
                    + " nor per tensor" + (block == null ? "" : " nor per " + block[0] + "x" + block[1] + " block") + " of a " + rows + "x" + cols + " weight");
        }
        long colBlocks = ceil(cols, blockCols), rowBlocks = ceil(rows, blockRows);
        Tensor grid = new Tensor(values.name(), values.type(), new long[] {colBlocks, rowBlocks}, values.data());
        return new Tensor(weight.name(), weight.type(), weight.ne(), weight.data(), new WeightScales(grid, blockRows, blockCols));
    }

    private static long ceil(long n, int block) {
        return (n + block - 1) / block;
    }
}
