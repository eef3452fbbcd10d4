package io.glm4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The held-out suite: {@code src/test/node/openai-sdk.test.mjs} drives the server with the official
 * OpenAI Node SDK (another official client than the Java tests use), under Node's test runner. The
 * SDK is installed with {@code npm ci} from the committed lock file into target/ on first run.
 */
class NodeOpenAiSdkTest {
    private static final Path SUITE = Path.of("glm4j-server/src/test/node");
    private static final Path WORK = Path.of("glm4j-server/target/node-suite");

    @Test
    void officialNodeSdkPassesTheSuite() throws Exception {
        prepare();
        try (TinyModel.Running real = TinyModel.start(2, 512, 8, ServerOptions.loopback(0).withApiKey("node-key"));
             TinyModel.Running replay = TinyModel.start(
                     new ReplayEngine(TinyModel.loaded().tokenizer(), ReplayedReplyTest.REASON_THEN_CALL), 1024, ServerOptions.loopback(0))) {
            Run run = run(List.of("node", "--test", "--test-reporter=tap", "openai-sdk.test.mjs"), Map.of(
                    "GLM4J_URL", real.url(), "GLM4J_REPLAY_URL", replay.url(), "GLM4J_MODEL", TinyModel.ID, "GLM4J_KEY", "node-key"), 300);

            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.output()).contains("# pass 8").contains("# fail 0");
        }
    }

    private static void prepare() throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "package-lock.json", "openai-sdk.test.mjs")) {
            Files.copy(SUITE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.isDirectory(WORK.resolve("node_modules/openai"))) return;
        Run install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
        assertThat(install.exitCode()).as("npm ci (needs Node.js 20+ and the npm registry): " + install.output()).isZero();
    }

    private record Run(int exitCode, String output) {}

    private static Run run(List<String> command, Map<String, String> env, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.getFirst() + ": this test needs Node.js 20+ with npm", e);
        }
        Path log = Files.createTempFile(WORK, "run", ".log");
        try (var in = process.getInputStream()) {
            Thread copier = Thread.ofVirtual().start(() -> {
                try {
                    Files.write(log, in.readAllBytes());
                } catch (IOException ignored) {
                    // the output is only for the failure message
                }
            });
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) process.destroyForcibly();
            copier.join(10_000);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        return new Run(process.isAlive() ? -1 : process.exitValue(), output);
    }
}
