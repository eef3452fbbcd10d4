package io.glm4j.bench;

import io.glm4j.gguf.GgufFile;
import io.glm4j.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokenizer throughput on one core over ~1 MB of English text (the Debian licence texts,
 * repeated). Bytes per second = text bytes / score; see BENCHMARKS.md.
 * {@code vocab}: the tiny GLM-4.5 GGUF vocabulary (glm4 regex) or the real Llama 3 tokenizer.json
 * (the same regex, 128k tokens and 280k merges).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class TokenizerBenchmark {
    @Param({"glm45-tiny-gguf", "llama3-tokenizer.json"})
    public String vocab;

    @Param({"../shared"})
    public String shared;

    private Tokenizer tokenizer;
    private String text;

    @Setup
    public void setUp() throws IOException {
        Path root = Path.of(shared);
        if (vocab.equals("glm45-tiny-gguf")) {
            try (GgufFile file = GgufFile.open(root.resolve("fixtures/glm45/tiny-glm45air-F32.gguf"))) {
                tokenizer = Tokenizer.fromGgufMetadata(file.metadata());
            }
        } else {
            tokenizer = Tokenizer.fromHuggingFace(root.resolve("fixtures/tokenizers/llama3/tokenizer.json"));
        }
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(Path.of("/usr/share/common-licenses"))) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) sb.append(Files.readString(p, StandardCharsets.UTF_8));
        }
        while (sb.length() < 1_000_000) sb.append(sb);
        text = sb.substring(0, 1_000_000);
    }

    @Benchmark
    public int[] encodeOneMegabyte() {
        return tokenizer.encode(text, true);
    }
}
