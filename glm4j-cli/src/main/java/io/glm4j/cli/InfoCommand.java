package io.glm4j.cli;

import io.glm4j.gguf.GgufFile;
import io.glm4j.hf.HfCheckpoint;
import io.glm4j.model.Glm4MoeConfig;
import io.glm4j.safetensors.Dtype;
import io.glm4j.safetensors.SafetensorsFile;
import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Describes a GGUF model file or a checkpoint directory without loading its weights. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print a model's architecture, hyper-parameters, tensor types, parameter count and file size.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "GGUF model file or Hugging Face checkpoint directory.")
    Path model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (HfCheckpoint.isCheckpoint(model)) {
            describeCheckpoint(out);
            return 0;
        }
        try (GgufFile file = GgufFile.open(model)) {
            var meta = file.meta();
            out.printf("file:          %s%n", file.path());
            out.printf("file size:     %,d bytes (%s)%n", file.fileSize(), humanBytes(file.fileSize()));
            out.printf("gguf version:  %d%n", file.version());
            out.printf("architecture:  %s%n", meta.string("general.architecture", "(none)"));
            out.printf("name:          %s%n", meta.string("general.name", "(none)"));
            long params = 0;
            Map<GgmlType, Integer> types = new TreeMap<>();
            for (Tensor t : file.tensors().values()) {
                params += t.elementCount();
                types.merge(t.type(), 1, Integer::sum);
            }
            out.printf("parameters:    %,d (%s)%n", params, humanCount(params));
            out.printf("tensors:       %d%n", file.tensors().size());
            types.forEach((type, count) -> out.printf("  %-6s %d%n", type, count));
            if (Glm4MoeConfig.ARCHITECTURE.equals(meta.string("general.architecture", ""))) {
                Tensor embedding = file.tensor("token_embd.weight");
                printConfig(out, Glm4MoeConfig.from(meta, Math.toIntExact(embedding.ne()[1])));
            }
        }
        return 0;
    }

    private void describeCheckpoint(PrintWriter out) {
        try (HfCheckpoint checkpoint = HfCheckpoint.open(model)) {
            long bytes = 0, params = 0;
            for (Path shard : checkpoint.shards().files()) bytes += shard.toFile().length();
            Map<Dtype, Integer> dtypes = new TreeMap<>();
            for (String name : checkpoint.shards().names()) {
                SafetensorsFile.Entry e = checkpoint.shards().entry(name);
                dtypes.merge(e.dtype(), 1, Integer::sum);
                if (!name.endsWith("_scale") && !name.endsWith("_scale_inv")) params += e.elementCount();
            }
            out.printf("checkpoint:    %s (%d safetensors files)%n", checkpoint.directory(), checkpoint.shards().files().size());
            out.printf("file size:     %,d bytes (%s)%n", bytes, humanBytes(bytes));
            out.printf("architecture:  %s (Hugging Face model_type glm4_moe)%n", Glm4MoeConfig.ARCHITECTURE);
            out.printf("parameters:    %,d (%s)%n", params, humanCount(params));
            out.printf("tensors:       %d%n", checkpoint.shards().names().size());
            dtypes.forEach((dtype, count) -> out.printf("  %-8s %d%n", dtype, count));
            printConfig(out, checkpoint.modelConfig());
        }
    }

    private static void printConfig(PrintWriter out, Glm4MoeConfig c) {
        out.printf("hyper-parameters:%n");
        out.printf("  vocab size            %d%n", c.vocabSize());
        out.printf("  context length        %d%n", c.contextLength());
        out.printf("  hidden size           %d%n", c.hiddenSize());
        out.printf("  layers                %d (+%d NextN)%n", c.blockCount(), c.nextnLayers());
        out.printf("  leading dense layers  %d (FFN %d)%n", c.leadingDenseBlocks(), c.denseFfnSize());
        out.printf("  attention heads       %d (KV %d, head dim %d)%n", c.headCount(), c.kvHeadCount(), c.headDim());
        out.printf("  rope                  %d dims, theta %.0f%n", c.ropeDims(), c.ropeTheta());
        out.printf("  rms eps               %g%n", c.rmsEps());
        out.printf("  experts               %d, %d used, %d shared, FFN %d%n", c.expertCount(), c.expertsUsed(), c.sharedExpertCount(), c.expertFfnSize());
        out.printf("  expert groups         %d, %d used%n", c.expertGroupCount(), c.expertGroupsUsed());
        out.printf("  expert weights        %s, scale %s%n", c.normalizeExpertWeights() ? "normalized" : "raw", c.expertWeightsScale());
    }

    static String humanBytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.2f %s", v, units[u]);
    }

    static String humanCount(long n) {
        if (n >= 1_000_000_000L) return String.format("%.2f B", n / 1e9);
        if (n >= 1_000_000L) return String.format("%.2f M", n / 1e6);
        if (n >= 1_000L) return String.format("%.2f K", n / 1e3);
        return Long.toString(n);
    }
}
