package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.convert.GgufOutput;
import io.glm4j.convert.GgufRequantizer;
import io.glm4j.gguf.GgufFile;
import io.glm4j.model.FileType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Requantizes a GGUF file the way llama-quantize does. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize a GGUF model as llama-quantize does (no importance matrix): its per-tensor type mix",
                "and reference quantizers, so the same input and type give the same bytes."})
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN.gguf", description = "The model to quantize (usually F32, F16 or BF16).")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT.gguf", description = "The file to write.")
    Path output;

    @Parameters(index = "2", paramLabel = "TYPE", description = "Q8_0, Q6_K, Q5_0, Q4_K_M, Q4_0, F16, BF16 or F32.")
    String type;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        FileType fileType = FileType.parse(type);
        if (Files.exists(output) && Files.isSameFile(input, output)) throw new Glm4jException("the output " + output + " is the input file");
        try (GgufFile in = GgufFile.open(input)) {
            GgufOutput gguf = GgufRequantizer.plan(in, fileType);
            ProgressBar bar = ProgressBar.forWriting(spec.commandLine().getErr(), output, gguf.dataBytes());
            gguf.write(output, Threads.pool(threads), bar);
            bar.finish();
            spec.commandLine().getOut().printf("wrote %s: %s, %d tensors, %s of tensor data%n",
                    output, fileType, gguf.tensors().size(), InfoCommand.humanBytes(gguf.dataBytes()));
        }
        return 0;
    }
}
