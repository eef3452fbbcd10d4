package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    private static final String MODEL = "../shared/fixtures/glm45/tiny-glm45air-Q4_K_M.gguf";

    @Test
    void jsonHasPromptAndGenerationRatesOverTheRepetitions() throws Exception {
        CliRunner r = CliRunner.run("bench", "-m", MODEL, "-p", "16", "-n", "4", "-r", "2", "-t", "2", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().strip().lines()).hasSize(1);
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("threads").asInt()).isEqualTo(2);
        assertThat(j.get("pp_tokens").asInt()).isEqualTo(16);
        assertThat(j.get("tg_tokens").asInt()).isEqualTo(4);
        for (String test : new String[] {"pp", "tg"}) {
            JsonNode samples = j.get(test + "_samples_ts");
            assertThat(samples).hasSize(2);
            double mean = (samples.get(0).asDouble() + samples.get(1).asDouble()) / 2;
            assertThat(j.get(test).asDouble()).isPositive().isCloseTo(mean, org.assertj.core.api.Assertions.within(1e-2 * mean));
            assertThat(j.get(test + "_sd").asDouble()).isNotNegative();
        }
        assertThat(j.get("weight_bytes_per_token").asLong()).isPositive();
        assertThat(j.get("memory_bandwidth").asDouble()).isGreaterThan(1e8);
        double fraction = j.get("bandwidth_fraction").asDouble();
        assertThat(fraction).isCloseTo(j.get("weight_bytes_per_token").asLong() * j.get("tg").asDouble() / j.get("memory_bandwidth").asDouble(),
                org.assertj.core.api.Assertions.within(1e-3 * fraction + 1e-6));
    }

    @Test
    void theTableNamesEachTestLikeLlamaBench() {
        CliRunner r = CliRunner.run("bench", "-m", MODEL, "-p", "8", "-n", "0", "-r", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("\\|\\s+pp8 \\|").doesNotContain("| tg").contains("weights read per generated token");
    }

    @Test
    void aDepthRunsEachTestAfterThatManyCachedPositionsAndNamesIt() throws Exception {
        CliRunner table = CliRunner.run("bench", "-m", MODEL, "-p", "8", "-n", "2", "-d", "24", "-r", "1", "--profile");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).containsPattern("\\|\\s+pp8 @ d24 \\|").containsPattern("\\|\\s+tg2 @ d24 \\|")
                .containsPattern("\\| pp8 @ d24 \\| [0-9.]+ \\(\\d+%\\) \\|");

        CliRunner json = CliRunner.run("bench", "-m", MODEL, "-p", "8", "-n", "2", "-d", "24", "-r", "1", "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertThat(j.get("depth").asInt()).isEqualTo(24);
        assertThat(j.get("pp").asDouble()).isPositive();
        assertThat(j.get("tg").asDouble()).isPositive();
        assertThat(new ObjectMapper().readTree(CliRunner.run("bench", "-m", MODEL, "-p", "4", "-n", "0", "-r", "1", "--json").out()).get("depth").asInt()).isZero();
    }

    @Test
    void profileSplitsEachTestsPassIntoStagesThatAddUpToIt() throws Exception {
        CliRunner table = CliRunner.run("bench", "-m", MODEL, "-p", "8", "-n", "2", "-r", "1", "--profile");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("time per forward pass by stage").contains("| attention | dense FFN | MoE FFN | head | other | total |")
                .containsPattern("\\| pp8 \\| [0-9.]+ \\(\\d+%\\) \\|").containsPattern("\\| tg2 \\| [0-9.]+ \\(\\d+%\\) \\|");

        CliRunner json = CliRunner.run("bench", "-m", MODEL, "-p", "8", "-n", "2", "-r", "2", "--profile", "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(json.out());
        for (String test : new String[] {"pp", "tg"}) {
            JsonNode stages = j.get(test + "_stage_ms");
            double sum = 0;
            for (String stage : new String[] {"attention", "dense_ffn", "moe_ffn", "head", "other"}) {
                assertThat(stages.get(stage).asDouble()).as(test + " " + stage).isNotNegative();
                sum += stages.get(stage).asDouble();
            }
            assertThat(stages.get("attention").asDouble()).isPositive();
            double total = stages.get("total").asDouble();
            assertThat(sum).isCloseTo(total, org.assertj.core.api.Assertions.within(1e-3 + 1e-3 * total));
            // total: the test's time per pass (pp one pass a repetition, tg one a token), from its rate
            int tokens = j.get(test + "_tokens").asInt();
            double perPass = test.equals("pp") ? 1 : tokens;
            double seconds = 0;
            for (JsonNode rate : j.get(test + "_samples_ts")) seconds += tokens / rate.asDouble();
            assertThat(total).isCloseTo(seconds * 1e3 / (2 * perPass), org.assertj.core.api.Assertions.within(1e-2 * total));
        }
        assertThat(CliRunner.run("bench", "-m", MODEL, "-p", "8", "-n", "0", "-r", "1", "--json").out()).doesNotContain("stage_ms");
    }

    @Test
    void repackBuildsTheRowGroupFileOnceAndReusesIt(@TempDir Path cache) throws Exception {
        String q4 = "../shared/fixtures/glm45/tiny-glm45air-Q4_0.gguf";
        CliRunner first = CliRunner.run("bench", "-m", q4, "--repack-dir", cache.toString(), "-p", "4", "-n", "4", "-r", "1");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).contains("repacking").contains(cache.toString());
        assertThat(first.out()).containsPattern("\\|\\s+tg4 \\|");
        try (var files = Files.list(cache)) {
            assertThat(files.toList()).singleElement().asString().endsWith(".groups");
        }
        CliRunner second = CliRunner.run("bench", "-m", q4, "--repack-dir", cache.toString(), "-p", "4", "-n", "4", "-r", "1");
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.err()).doesNotContain("repacking");
    }

    @Test
    void badInputIsOneLine() {
        LogitsCommandTest.assertOneLineError(CliRunner.run("bench", "-m", MODEL, "-r", "0"), "-r must be at least 1");
        LogitsCommandTest.assertOneLineError(CliRunner.run("bench", "-m", MODEL, "-p", "100000"), "more than the model's context");
        LogitsCommandTest.assertOneLineError(CliRunner.run("bench", "-m", MODEL, "-p", "16", "-n", "0", "-d", "131072"), "the tests need 131088 positions");
        LogitsCommandTest.assertOneLineError(CliRunner.run("bench", "-m", MODEL, "-d", "-1"), "must not be negative");
    }
}
