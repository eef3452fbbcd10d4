package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.generate.LoadedModel;
import io.glm4j.generate.SpeculationCost;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCacheType;
import io.glm4j.model.StageTimes;
import io.glm4j.perf.MemoryBandwidth;
import io.glm4j.perf.ModelBenchmark;
import io.glm4j.perf.Throughput;
import io.glm4j.perf.WeightTraffic;
import io.glm4j.tensor.WorkerPool;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Prompt-processing and generation speed with llama-bench's definitions, plus how close decoding
 * comes to the machine's memory bandwidth (decode streams the weights once per token).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure prompt processing (pp) and text generation (tg) speed as llama-bench does:",
                "pp = prompt tokens / time of one batch, tg = generated tokens / time of one-token steps,",
                "both from an empty cache with random tokens, mean ± sd over repetitions after a warm-up."})
final class BenchCommand implements Callable<Integer> {
    /** Large enough to defeat the caches, small enough for any heap setting (it is off-heap). */
    private static final long BANDWIDTH_BUFFER = 1L << 30;

    @Mixin
    ModelChoice modelChoice;

    @Option(names = {"-p", "--n-prompt"}, paramLabel = "N", defaultValue = "512", description = "Prompt tokens of the pp test; 0 skips it (default ${DEFAULT-VALUE}).")
    int prompt;

    @Option(names = {"-n", "--n-gen"}, paramLabel = "N", defaultValue = "128", description = "Generated tokens of the tg test; 0 skips it (default ${DEFAULT-VALUE}).")
    int generate;

    @Option(names = {"-d", "--n-depth"}, paramLabel = "N", defaultValue = "0", description = "Positions already in the KV cache when each test starts, as llama-bench's -d (default ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", defaultValue = "5", description = "Timed repetitions of each test (default ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--kv", paramLabel = "TYPE", defaultValue = "f16", description = "KV cache type: f16, f32 or q8_0 (default ${DEFAULT-VALUE}, as llama-bench).")
    String kv;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Option(names = "--profile", description = "Also print where a forward pass spends its time: attention, dense FFN, MoE FFN, head and the rest.")
    boolean profile;

    @Option(names = "--mtp", description = "Also measure MTP speculation: a decode step, verifying k+1 tokens (k = 1..3), a NextN draft step, and the speed-up they imply.")
    boolean mtp;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (prompt < 0 || generate < 0 || depth < 0) throw new Glm4jException("-p, -n and -d must not be negative");
        if (reps < 1) throw new Glm4jException("-r must be at least 1");
        KvCacheType cacheType = KvCacheType.parse(kv);
        try (LoadedModel loaded = modelChoice.open(spec.commandLine().getErr())) {
            Glm4MoeModel model = loaded.model();
            long needed = (long) depth + Math.max(prompt, generate);
            if (needed > model.config().contextLength()) {
                throw new Glm4jException("the tests need " + needed + " positions, more than the model's context of " + model.config().contextLength());
            }
            WorkerPool pool = WorkerPool.shared(); // the pool open() configured
            ModelBenchmark bench = new ModelBenchmark(model, cacheType, depth, 1234);
            StageTimes ppStages = profile ? new StageTimes() : null, tgStages = profile ? new StageTimes() : null;
            Throughput pp = prompt > 0 ? bench.prompt(prompt, reps, ppStages) : null;
            Throughput tg = generate > 0 ? bench.generation(generate, reps, tgStages) : null;
            long weightBytes = WeightTraffic.bytesPerDecodedToken(model.config(), model.weights());
            double bandwidth = MemoryBandwidth.measure(pool, BANDWIDTH_BUFFER, 8);
            Report report = new Report(loaded.path(), Files.size(loaded.path()), pool.threads(), reps, depth, pp, tg, weightBytes, bandwidth,
                    profile && pp != null ? StagesPerPass.of(ppStages, pp, reps) : null, profile && tg != null ? StagesPerPass.of(tgStages, tg, reps * generate) : null);
            PrintWriter out = spec.commandLine().getOut();
            if (json) report.printJson(out);
            else report.printTable(out);
            if (mtp) printSpeculation(out, SpeculationCost.measure(model, Math.max(2, Math.min(prompt, 64)), reps, 1234));
            out.flush();
        }
        return 0;
    }

    /** The cost of each speculation step and the speed-up it implies per acceptance rate. */
    private static void printSpeculation(PrintWriter out, SpeculationCost.Costs c) {
        out.printf(Locale.ROOT, "%nMTP speculation (after a prompt; mean of the repetitions)%n");
        out.printf(Locale.ROOT, "| step | ms | × decode step |%n|---|---|---|%n");
        out.printf(Locale.ROOT, "| decode (1 token) | %.1f | 1.00 |%n", c.decode() * 1e3);
        for (int k = 1; k <= 3; k++) {
            out.printf(Locale.ROOT, "| verify %d tokens (k = %d) | %.1f | %.2f |%n", k + 1, k, c.verify()[k - 1] * 1e3, c.verify()[k - 1] / c.decode());
        }
        out.printf(Locale.ROOT, "| NextN draft step | %.1f | %.2f |%n", c.draft() * 1e3, c.draft() / c.decode());
        double[] rates = {0.5, 0.6, 0.7, 0.8, 0.9};
        out.printf(Locale.ROOT, "%nprojected speed-up over plain decoding, by acceptance rate%n| k |");
        for (double a : rates) out.printf(Locale.ROOT, " a = %.1f |", a);
        out.printf("%n|---|---|---|---|---|---|%n");
        for (int k = 1; k <= 3; k++) {
            out.printf(Locale.ROOT, "| %d |", k);
            for (double a : rates) out.printf(Locale.ROOT, " %.2f× |", c.speedup(k, a));
            out.println();
        }
    }

    /** A test's mean milliseconds per forward pass in each stage, and in what no stage covers. */
    private record StagesPerPass(double[] stageMs, double otherMs, double totalMs) {
        static final String[] NAMES = {"attention", "dense FFN", "MoE FFN", "head"};
        static final String[] KEYS = {"attention", "dense_ffn", "moe_ffn", "head"};

        static StagesPerPass of(StageTimes times, Throughput test, int passes) {
            double[] ms = new double[StageTimes.Stage.values().length];
            for (StageTimes.Stage s : StageTimes.Stage.values()) ms[s.ordinal()] = times.nanos(s) / 1e6 / passes;
            double total = test.seconds() * 1e3 / passes;
            return new StagesPerPass(ms, Math.max(0, total - times.total() / 1e6 / passes), total);
        }
    }

    private record Report(Path model, long fileBytes, int threads, int reps, int depth, Throughput pp, Throughput tg, long weightBytes, double bandwidth,
            StagesPerPass ppStages, StagesPerPass tgStages) {

        /** Fraction of the measured bandwidth that streaming the weights at the tg rate takes. */
        double bandwidthFraction() {
            return tg == null ? Double.NaN : weightBytes * tg.mean() / bandwidth;
        }

        void printTable(PrintWriter out) {
            String name = model.getFileName().toString();
            int testWidth = depth > 0 ? 16 : 8; // "pp512 @ d32768"
            out.printf("| %-30s | %10s | %7s | %" + testWidth + "s | %20s |%n", "model", "size", "threads", "test", "t/s");
            out.printf("| %s | %s | %s | %s | %s |%n", "-".repeat(30), "-".repeat(10), "-".repeat(7), "-".repeat(testWidth), "-".repeat(20));
            for (Throughput t : new Throughput[] {pp, tg}) {
                if (t == null) continue;
                out.printf(Locale.ROOT, "| %-30s | %10s | %7d | %" + testWidth + "s | %20s |%n", name, InfoCommand.humanBytes(fileBytes), threads, label(t),
                        String.format(Locale.ROOT, "%.2f ± %.2f", t.mean(), t.sd()));
            }
            out.printf(Locale.ROOT, "%nweights read per generated token: %.3f GB%n", weightBytes / 1e9);
            out.printf(Locale.ROOT, "memory read bandwidth (measured, %d threads): %.1f GB/s%n", threads, bandwidth / 1e9);
            if (tg != null) {
                out.printf(Locale.ROOT, "tg streams weights at %.1f GB/s = %.0f%% of the measured bandwidth%n",
                        weightBytes * tg.mean() / 1e9, 100 * bandwidthFraction());
            }
            if (ppStages != null || tgStages != null) printStages(out);
        }

        /** A test's name as llama-bench prints it: pp512, tg128, or pp512 @ d4096 after a depth. */
        private String label(Throughput t) {
            return (t == pp ? "pp" : "tg") + t.tokens() + (depth > 0 ? " @ d" + depth : "");
        }

        /** ms per forward pass and share of it, per stage: pp makes one pass a repetition, tg one a token. */
        private void printStages(PrintWriter out) {
            out.printf("%ntime per forward pass by stage, ms (share)%n| test |");
            for (String name : StagesPerPass.NAMES) out.printf(" %s |", name);
            out.printf(" other | total |%n|---|---|---|---|---|---|---|%n");
            for (Throughput t : new Throughput[] {pp, tg}) {
                StagesPerPass stages = t == pp ? ppStages : tgStages;
                if (t == null || stages == null) continue;
                out.printf("| %s |", label(t));
                for (double ms : stages.stageMs()) out.printf(Locale.ROOT, " %.2f (%.0f%%) |", ms, 100 * ms / stages.totalMs());
                out.printf(Locale.ROOT, " %.2f (%.0f%%) | %.2f |%n", stages.otherMs(), 100 * stages.otherMs() / stages.totalMs(), stages.totalMs());
            }
        }

        void printJson(PrintWriter out) {
            StringBuilder s = new StringBuilder();
            s.append("{\"model\": \"").append(escape(model.toString())).append('"');
            s.append(", \"model_bytes\": ").append(fileBytes);
            s.append(", \"threads\": ").append(threads);
            s.append(", \"repetitions\": ").append(reps);
            s.append(", \"depth\": ").append(depth);
            test(s, "pp", pp);
            test(s, "tg", tg);
            stages(s, "pp", ppStages);
            stages(s, "tg", tgStages);
            s.append(", \"weight_bytes_per_token\": ").append(weightBytes);
            s.append(String.format(Locale.ROOT, ", \"memory_bandwidth\": %.0f", bandwidth));
            if (tg != null) s.append(String.format(Locale.ROOT, ", \"bandwidth_fraction\": %.6g", bandwidthFraction()));
            out.println(s.append('}'));
        }

        private static void test(StringBuilder s, String name, Throughput t) {
            if (t == null) return;
            s.append(String.format(Locale.ROOT, ", \"%s\": %.3f, \"%s_sd\": %.3f, \"%s_tokens\": %d", name, t.mean(), name, t.sd(), name, t.tokens()));
            s.append(", \"").append(name).append("_samples_ts\": ")
                    .append(Arrays.stream(t.samples()).mapToObj(v -> String.format(Locale.ROOT, "%.3f", v)).collect(Collectors.joining(", ", "[", "]")));
        }

        private static void stages(StringBuilder s, String name, StagesPerPass stages) {
            if (stages == null) return;
            s.append(", \"").append(name).append("_stage_ms\": {");
            for (int i = 0; i < StagesPerPass.KEYS.length; i++) {
                s.append(String.format(Locale.ROOT, "\"%s\": %.4f, ", StagesPerPass.KEYS[i], stages.stageMs()[i]));
            }
            s.append(String.format(Locale.ROOT, "\"other\": %.4f, \"total\": %.4f}", stages.otherMs(), stages.totalMs()));
        }

        private static String escape(String text) {
            return text.replace("\\", "\\\\").replace("\"", "\\\"");
        }
    }
}
