package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GenerateCommandTest {
    static final String F32 = "../shared/fixtures/glm45/tiny-glm45air-F32.gguf";

    /**
     * The goldens were made with an F32 KV cache, so this asks for one. With the default F16 cache
     * one of the 96 tokens differs (random_40 step 23, where the top-2 margin is 0.0024), as the
     * fixture README reports for llama.cpp's own F16 default.
     */
    @ParameterizedTest
    @ValueSource(strings = {"none", "mtp", "auto"})
    void greedyIdsReproduceLlamaCppsContinuationForEveryPrompt(String speculative) throws IOException {
        JsonNode golden = new ObjectMapper().readTree(Path.of("../shared/fixtures/glm45/tiny-glm45air-F32.golden.json").toFile());
        for (JsonNode p : golden.get("prompts")) {
            CliRunner r = CliRunner.run("generate", "-m", F32, "--ids", join(p.get("tokens")), "-n", "24",
                    "--temperature", "0", "--ignore-eos", "--print-ids", "--kv", "f32", "--speculative", speculative, "--verbose");
            assertThat(r.exitCode()).as(r.err()).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(new ObjectMapper().readTree(lines.getLast())).as(p.get("name").asText()).isEqualTo(p.get("greedy"));
            assertThat(r.err()).contains("generated: 24 tokens");
        }
    }

    @Test
    void aTextPromptAndSeededSamplingAreReproducible() {
        String[] args = {"generate", "-m", F32, "-p", "[gMASK]<sop>Hello", "-n", "12", "--seed", "3", "--temperature", "1", "--ignore-eos", "--print-ids"};
        CliRunner a = CliRunner.run(args);
        CliRunner b = CliRunner.run(args);
        assertThat(a.exitCode()).as(a.err()).isZero();
        assertThat(a.out()).isEqualTo(b.out());
    }

    @Test
    void jsonSchemaAndGrammarFilesConstrainTheOutput(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path schema = dir.resolve("schema.json");
        java.nio.file.Files.writeString(schema, """
                {"type": "object", "properties": {"ok": {"type": "boolean"}, "n": {"type": "integer", "minimum": 1, "maximum": 9}},
                 "required": ["ok", "n"], "additionalProperties": false}""");
        CliRunner json = CliRunner.run("generate", "-m", F32, "-p", "[gMASK]<sop>Hello", "-n", "64", "--seed", "5", "--temperature", "1",
                "--json-schema", schema.toString());
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode out = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertThat(out.get("ok").isBoolean()).as(json.out()).isTrue();
        assertThat(out.get("n").asInt()).isBetween(1, 9);
        assertThat(json.err()).contains("stop: stop");

        java.nio.file.Path grammar = dir.resolve("yes-no.gbnf");
        java.nio.file.Files.writeString(grammar, "root ::= (\"yes\" | \"no\") \", \" [0-9]{2}\n");
        CliRunner g = CliRunner.run("generate", "-m", F32, "-p", "[gMASK]<sop>Hello", "-n", "64", "--seed", "5", "--temperature", "1",
                "--grammar", grammar.toString());
        assertThat(g.out().strip()).matches("(yes|no), [0-9]{2}");

        java.nio.file.Files.writeString(grammar, "root ::= \"a\" missing\n");
        LogitsCommandTest.assertOneLineError(CliRunner.run("generate", "-m", F32, "--ids", "1", "--grammar", grammar.toString()),
                "grammar: rule 'root' refers to undefined rule 'missing'");
        java.nio.file.Files.writeString(schema, "{\"type\": \"object\", \"not\": {}}");
        LogitsCommandTest.assertOneLineError(CliRunner.run("generate", "-m", F32, "--ids", "1", "--json-schema", schema.toString()),
                "schema: 'not' is not supported");
    }

    @Test
    void badOptionsAreOneLine() {
        LogitsCommandTest.assertOneLineError(CliRunner.run("generate", "-m", F32, "--ids", "1,2,3", "--ctx", "2"), "more than the context of 2");
        LogitsCommandTest.assertOneLineError(CliRunner.run("generate", "-m", F32, "--ids", "1", "--kv", "q4"), "unknown KV cache type 'q4'");
        LogitsCommandTest.assertOneLineError(CliRunner.run("generate", "-m", F32, "--ids", "1", "--top-p", "0"), "top_p");
        LogitsCommandTest.assertOneLineError(CliRunner.run("generate", "-m", F32, "--ids", "1", "--ctx", "100000"), "larger than the model's context of 4096");
    }

    static String join(JsonNode array) {
        return String.join(",", StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList());
    }
}
