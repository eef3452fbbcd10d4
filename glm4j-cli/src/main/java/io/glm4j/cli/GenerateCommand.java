package io.glm4j.cli;

import io.glm4j.generate.GenerationRequest;
import io.glm4j.generate.Generator;
import io.glm4j.generate.LoadedModel;
import io.glm4j.generate.Session;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Continues a raw prompt (text or ids), streaming the text; statistics go to stderr. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a raw prompt (no chat template), streaming the generated text.")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelChoice modelChoice;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;

    static final class Prompt {
        @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "Prompt text (special tokens such as [gMASK] are parsed).")
        String text;

        @Option(names = "--ids", paramLabel = "1,2,3", description = "Prompt token ids.")
        String ids;
    }

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", defaultValue = "128", description = "Tokens to generate (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--ignore-eos", description = "Do not stop at end-of-generation tokens.")
    boolean ignoreEos;

    @Option(names = "--print-ids", description = "After the text, print the generated ids as one JSON array line.")
    boolean printIds;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    ContextOptions context;

    @Mixin
    SpeculationOptions speculation;

    @Mixin
    ConstraintOptions constraint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LoadedModel model = modelChoice.open(err)) {
            int[] ids = prompt.ids != null ? TokenIds.parse(prompt.ids) : model.tokenizer().encode(prompt.text, true);
            Session session = context.newSession(model.model());
            GenerationRequest request = new GenerationRequest(ids, sampling.params(), maxTokens, sampling.stop, ignoreEos, 0,
                    constraint.constraint(model.tokenizer()));
            Generator.Result r = speculation.generatorFor(model, session, context.kv).generate(session, request, text -> {
                out.print(text);
                out.flush();
            }, () -> false);
            out.println();
            if (printIds) out.println(Arrays.stream(r.tokens()).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]")));
            out.flush();
            err.printf("prompt: %d tokens in %.2f s (%.1f t/s); generated: %d tokens in %.2f s (%.1f t/s); stop: %s%n",
                    ids.length, r.prefillNanos() / 1e9, ids.length / (r.prefillNanos() / 1e9),
                    r.tokens().length, r.decodeNanos() / 1e9, Math.max(0, r.tokens().length - 1) / Math.max(1e-9, r.decodeNanos() / 1e9),
                    r.finishReason().name().toLowerCase(java.util.Locale.ROOT));
            if (speculation.verbose) err.println(SpeculationOptions.describe(r));
        }
        return 0;
    }
}
