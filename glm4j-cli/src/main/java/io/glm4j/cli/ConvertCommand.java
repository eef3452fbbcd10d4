package io.glm4j.cli;

import io.glm4j.convert.CheckpointToGguf;
import io.glm4j.convert.GgufOutput;
import io.glm4j.hf.HfCheckpoint;
import io.glm4j.model.FileType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Converts a Hugging Face checkpoint directory into the GGUF llama.cpp's converter writes. */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert a Hugging Face GLM-4.5 checkpoint directory (BF16 or FP8 safetensors) into a GGUF file",
                "as llama.cpp's convert_hf_to_gguf.py writes it; quantized types use llama-quantize's tensor mix."})
final class ConvertCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "Checkpoint directory (config.json, safetensors, tokenizer.json, ...).")
    Path directory;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.gguf", description = "GGUF file to write.")
    Path output;

    @Option(names = "--type", defaultValue = "auto", paramLabel = "TYPE",
            description = "auto (the 16-bit type of the stored matrices, else f16), f32, f16, bf16, q8_0, q4_0, q5_0, q6_k, q4_k_m (default: ${DEFAULT-VALUE}).")
    String type;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (HfCheckpoint checkpoint = HfCheckpoint.open(directory)) {
            FileType fileType = type.equalsIgnoreCase("auto") ? CheckpointToGguf.defaultType(checkpoint) : FileType.parse(type);
            GgufOutput gguf = CheckpointToGguf.plan(checkpoint, fileType);
            PrintWriter err = spec.commandLine().getErr();
            ProgressBar bar = ProgressBar.forWriting(err, output, gguf.dataBytes());
            gguf.write(output, Threads.pool(threads), bar);
            bar.finish();
            spec.commandLine().getOut().printf("wrote %s: %s, %d tensors, %s of tensor data%n",
                    output, fileType, gguf.tensors().size(), InfoCommand.humanBytes(gguf.dataBytes()));
        }
        return 0;
    }
}
