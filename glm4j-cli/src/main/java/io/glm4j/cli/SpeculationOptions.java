package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.generate.Generator;
import io.glm4j.generate.LoadedModel;
import io.glm4j.generate.Scheduler;
import io.glm4j.generate.Session;
import io.glm4j.generate.SpeculativeGenerator;
import io.glm4j.generate.TokenGenerator;
import io.glm4j.model.KvCacheType;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Speculative decoding with the model's NextN (MTP) layer. */
final class SpeculationOptions {
    /** Below this acceptance rate one draft per step costs more than it saves (see BENCHMARKS.md). */
    private static final double AUTO_MIN_ACCEPTANCE = 0.3;

    @Option(names = "--speculative", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (MTP when the file has a NextN layer, dropped for a request once its drafts stop paying off), mtp or none (default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--draft", paramLabel = "N", defaultValue = "1", description = "Tokens drafted per step, 1-3 (default ${DEFAULT-VALUE}).")
    int drafts;

    @Option(names = "--verbose", description = "Print speculation statistics (acceptance rate, mean accepted length).")
    boolean verbose;

    TokenGenerator generatorFor(LoadedModel model, Session session, String kvType) {
        String m = mode.toLowerCase(Locale.ROOT);
        boolean hasNextN = model.model().hasNextN();
        return switch (m) {
            case "none" -> new Generator(model);
            case "mtp" -> speculative(model, session, kvType, 0);
            case "auto" -> hasNextN ? speculative(model, session, kvType, AUTO_MIN_ACCEPTANCE) : new Generator(model);
            default -> throw new Glm4jException("--speculative must be auto, mtp or none, not '" + mode + "'");
        };
    }

    /** The scheduler's drafting settings for {@code serve}: null when speculation is off or impossible. */
    Scheduler.Drafting drafting(LoadedModel model) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "none" -> null;
            case "mtp" -> new Scheduler.Drafting(drafts, 0);
            case "auto" -> model.model().hasNextN() ? new Scheduler.Drafting(drafts, AUTO_MIN_ACCEPTANCE) : null;
            default -> throw new Glm4jException("--speculative must be auto, mtp or none, not '" + mode + "'");
        };
    }

    private TokenGenerator speculative(LoadedModel model, Session session, String kvType, double minAcceptance) {
        var cache = model.model().newNextNCache(KvCacheType.parse(kvType), session.contextSize(), 1);
        return new SpeculativeGenerator(model, drafts, cache, 0, minAcceptance);
    }

    /** One line for --verbose: drafted, accepted, acceptance rate and mean tokens accepted per verification. */
    static String describe(Generator.Result r) {
        Generator.Speculation s = r.speculation();
        if (s.drafted() == 0) return "speculation: no drafts";
        return String.format(Locale.ROOT, "speculation: %d drafted, %d accepted (%.0f%%), %.2f accepted per step",
                s.drafted(), s.accepted(), 100 * s.acceptanceRate(), s.meanAcceptedLength());
    }
}
