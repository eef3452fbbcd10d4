package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.generate.LoadedModel;
import io.glm4j.model.Batch;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCacheType;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Evaluates token ids as one prompt batch and writes the logits of every position. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Evaluate token ids as one prompt batch (F32 KV cache); write float32 logits [positions x vocab], print the argmax per position.")
final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelChoice modelChoice;

    @Option(names = "--ids", required = true, paramLabel = "1,2,3", description = "Prompt token ids, comma-separated.")
    String ids;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.f32", description = "Where to write little-endian float32 logits.")
    Path output;

    @Option(names = "--mtp", description = "Write the NextN (MTP) head's logits instead: row i predicts token i+2 (positions 0..n-2).")
    boolean mtp;

    @Option(names = "--ctx", paramLabel = "N", description = "Context size (default: the number of ids).")
    Integer ctx;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        int[] tokens = TokenIds.parse(ids);
        int context = ctx == null ? tokens.length : ctx;
        if (tokens.length > context) {
            throw new Glm4jException("the prompt has " + tokens.length + " tokens, more than the context of " + context);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel loaded = modelChoice.open(spec.commandLine().getErr())) {
            Glm4MoeModel model = loaded.model();
            Glm4MoeModel.Output result = model.forward(Batch.of(0, 0, tokens, true), model.newCache(context, 1));
            if (mtp) result = nextN(model, tokens, result.hidden(), context);
            if (output != null) write(result.logits(), output);
            StringBuilder argmax = new StringBuilder();
            for (int t = 0; t < result.rows(); t++) {
                argmax.append(t == 0 ? "" : ",").append(argmax(result.logitsRow(t)));
            }
            out.println("argmax: " + argmax);
            if (output != null) out.println("wrote " + result.rows() + " x " + result.vocabSize() + " logits to " + output);
        }
        return 0;
    }

    /** Row i: the NextN head's logits for token i+2, from the hidden state at i and token i+1. */
    private static Glm4MoeModel.Output nextN(Glm4MoeModel model, int[] tokens, float[] hidden, int context) {
        if (tokens.length < 2) throw new Glm4jException("--mtp needs at least 2 ids");
        int[] next = Arrays.copyOfRange(tokens, 1, tokens.length);
        return model.forwardNextN(Batch.of(0, 0, next, true), hidden, model.newNextNCache(KvCacheType.F32, context, 1));
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    private static void write(float[] values, Path path) throws IOException {
        try (OutputStream file = Files.newOutputStream(path);
             DataOutputStream data = new DataOutputStream(new BufferedOutputStream(file, 1 << 16))) {
            for (float v : values) data.writeInt(Integer.reverseBytes(Float.floatToRawIntBits(v)));
        }
    }
}
