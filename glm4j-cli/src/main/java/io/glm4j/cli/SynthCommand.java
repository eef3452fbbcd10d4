package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.model.FileType;
import io.glm4j.model.synth.SynthPreset;
import io.glm4j.model.synth.SyntheticModel;
import io.glm4j.tensor.WorkerPool;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes a random-weight model of GLM-4.5-Air's shape, for tests, benchmarks and the demo. */
@Command(name = "synth", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a random-weight GLM-4.5-Air-shaped GGUF (glm4moe, GLM-4.5 tokenizer layout and chat template).",
                "Its output is noise; it exists to test and measure glm4j and other engines."})
final class SynthCommand implements Callable<Integer> {
    /** Files at least this big get a progress bar. */
    private static final long PROGRESS_FROM_BYTES = 64L << 20;

    @Option(names = "--preset", required = true, paramLabel = "NAME",
            description = "tiny (the test fixture's shape), air (GLM-4.5-Air's real size) or air-slice (real widths, 1 dense + N MoE layers).")
    String preset;

    @Option(names = "--moe-layers", paramLabel = "N", description = "MoE layers of air-slice (default 3).")
    Integer moeLayers;

    @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = "F32, F16, Q8_0, Q4_0 or Q4_K_M (also Q5_0 and Q6_K); quantized types use llama-quantize's tensor mix.")
    String type;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "GGUF file to write.")
    Path output;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of the random weights (default 1).")
    long seed;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SyntheticModel model = SyntheticModel.of(SynthPreset.parse(preset, moeLayers), FileType.parse(type), seed);
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar bar = new ProgressBar(err, "writing " + output.getFileName(), model.dataBytes());
        boolean showProgress = model.dataBytes() >= PROGRESS_FROM_BYTES;
        model.write(output, pool(), showProgress ? bar : done -> {});
        bar.finish();
        spec.commandLine().getOut().printf("wrote %s: %s preset, %s, seed %d, %d tensors, %s of tensor data%n",
                output, preset, FileType.parse(type), seed, model.tensors().size(), InfoCommand.humanBytes(model.dataBytes()));
        return 0;
    }

    private WorkerPool pool() {
        if (threads != null) {
            if (threads < 1) throw new Glm4jException("--threads must be at least 1");
            WorkerPool.configure(threads);
        }
        return WorkerPool.shared();
    }
}
