package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.gguf.GgufFile;
import io.glm4j.hf.HfCheckpoint;
import io.glm4j.model.FileType;
import io.glm4j.model.Glm4MoeConfig;
import io.glm4j.model.Glm4MoeTensors;
import io.glm4j.model.KnownModel;
import io.glm4j.model.MemoryEstimate;
import io.glm4j.model.QuantMix;
import io.glm4j.model.TensorSpec;
import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Estimates the memory a model needs, like the calculator on GLM-4.5-Air's model card. */
@Command(name = "mem", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Estimate the memory a model needs: weights, KV cache, compute buffers and total.",
                "Without --ctx, prints a table over 1K..128K tokens of context."})
final class MemCommand implements Callable<Integer> {
    private static final int[] TABLE_CONTEXTS = {1 << 10, 1 << 11, 1 << 12, 1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 17};

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "-m", paramLabel = "FILE", description = "A GGUF model file or a Hugging Face checkpoint directory.")
        Path file;

        @Option(names = "--model", paramLabel = "NAME", description = "A published model: glm-4.5-air or glm-4.5 (weights BF16 unless --quant).")
        String name;
    }

    @Option(names = "--quant", paramLabel = "TYPE",
            description = "Size the weights as llama-quantize would store them for this type (Q4_K_M, Q8_0, BF16, ...).")
    String quant;

    @Option(names = "--ctx", paramLabel = "N", description = "Context length in tokens per sequence.")
    Integer context;

    @Option(names = "--kv", paramLabel = "TYPE", defaultValue = "f16", description = "KV cache type: f16 (default), q8_0 or f32.")
    String kv;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "1", description = "Sequences served at once, each with its own context.")
    int parallel;

    @Option(names = "--json", description = "Print one JSON object (for --ctx, or the model's whole context without it).")
    boolean json;

    @Spec
    CommandSpec spec;

    private record Weights(String label, Glm4MoeConfig config, long bytes) {}

    @Override
    public Integer call() {
        GgmlType kvType = kvType(kv);
        Weights w = source.file != null ? fromFile(source.file) : fromName(source.name);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            int ctx = context != null ? context : w.config.contextLength();
            printJson(out, w, ctx, kvType, MemoryEstimate.of(w.config, w.bytes, ctx, kvType, parallel));
            return 0;
        }
        long perToken = MemoryEstimate.kvBytesPerToken(w.config, kvType);
        out.printf("model:     %s%n", w.label);
        out.printf("weights:   %s (%,d bytes)%n", InfoCommand.humanBytes(w.bytes), w.bytes);
        out.printf("KV cache:  %s, %,d bytes per token (%d layers x K,V x %d KV heads x %d), %d sequence%s%n",
                kv.toLowerCase(Locale.ROOT), perToken, w.config.blockCount(), w.config.kvHeadCount(), w.config.headDim(),
                parallel, parallel == 1 ? "" : "s");
        out.printf("compute:   float32 activations of a %d-token prompt batch, one logits row per sequence%n", MemoryEstimate.PREFILL_BATCH);
        if (context != null) {
            MemoryEstimate m = MemoryEstimate.of(w.config, w.bytes, context, kvType, parallel);
            out.printf("%nat %,d tokens of context:%n", context);
            out.printf("  weights   %12s%n", InfoCommand.humanBytes(m.weightsBytes()));
            out.printf("  KV cache  %12s%n", InfoCommand.humanBytes(m.kvBytes()));
            out.printf("  compute   %12s%n", InfoCommand.humanBytes(m.computeBytes()));
            out.printf("  total     %12s (%,d bytes)%n", InfoCommand.humanBytes(m.totalBytes()), m.totalBytes());
            return 0;
        }
        out.printf("%n%9s  %12s  %12s  %12s%n", "context", "KV cache", "compute", "total");
        for (int ctx : TABLE_CONTEXTS) {
            MemoryEstimate m = MemoryEstimate.of(w.config, w.bytes, ctx, kvType, parallel);
            out.printf("%9s  %12s  %12s  %12s%n", (ctx >> 10) + "K", InfoCommand.humanBytes(m.kvBytes()),
                    InfoCommand.humanBytes(m.computeBytes()), InfoCommand.humanBytes(m.totalBytes()));
        }
        return 0;
    }

    private Weights fromName(String name) {
        KnownModel model = KnownModel.parse(name);
        FileType type = quant != null ? FileType.parse(quant) : FileType.BF16;
        List<TensorSpec> tensors = QuantMix.of(type, model.config()).apply(model.tensors());
        return new Weights(model.id + ", weights " + type, model.config(), MemoryEstimate.weightsBytes(tensors));
    }

    private Weights fromCheckpoint(Path directory) {
        try (HfCheckpoint checkpoint = HfCheckpoint.open(directory)) {
            Glm4MoeConfig config = checkpoint.modelConfig();
            String name = directory.toAbsolutePath().normalize().getFileName().toString();
            if (quant == null) {
                return new Weights(name + ", weights as stored", config, checkpoint.shards().tensorBytes());
            }
            FileType type = FileType.parse(quant);
            List<TensorSpec> tensors = QuantMix.of(type, config).apply(Glm4MoeTensors.of(config, checkpoint.config().qkNorm()));
            return new Weights(name + ", weights converted to " + type, config, MemoryEstimate.weightsBytes(tensors));
        }
    }

    private Weights fromFile(Path file) {
        if (HfCheckpoint.isCheckpoint(file)) return fromCheckpoint(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            Tensor embedding = gguf.tensor("token_embd.weight");
            Glm4MoeConfig config = Glm4MoeConfig.from(gguf.meta(), Math.toIntExact(embedding.ne()[1]));
            List<TensorSpec> tensors = gguf.tensors().values().stream().map(t -> new TensorSpec(t.name(), t.type(), t.ne())).toList();
            String label = file.getFileName() + ", weights as stored";
            if (quant != null) {
                FileType type = FileType.parse(quant);
                tensors = QuantMix.of(type, config).apply(tensors);
                label = file.getFileName() + ", weights requantized to " + type;
            }
            return new Weights(label, config, MemoryEstimate.weightsBytes(tensors));
        }
    }

    private static GgmlType kvType(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f16" -> GgmlType.F16;
            case "q8_0" -> GgmlType.Q8_0;
            case "f32" -> GgmlType.F32;
            default -> throw new Glm4jException("unknown KV cache type '" + name + "'; use f16, q8_0 or f32");
        };
    }

    private void printJson(PrintWriter out, Weights w, int ctx, GgmlType kvType, MemoryEstimate m) {
        out.printf(Locale.ROOT, "{\"model\": \"%s\", \"context\": %d, \"parallel\": %d, \"kv_type\": \"%s\", "
                        + "\"kv_bytes_per_token\": %d, \"weights_bytes\": %d, \"kv_bytes\": %d, \"compute_bytes\": %d, \"total_bytes\": %d}%n",
                w.label.replace("\\", "\\\\").replace("\"", "\\\""), ctx, parallel, kvType.name().toLowerCase(Locale.ROOT),
                MemoryEstimate.kvBytesPerToken(w.config, kvType), m.weightsBytes(), m.kvBytes(), m.computeBytes(), m.totalBytes());
    }
}
