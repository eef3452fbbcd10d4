package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tokenize, detokenize and render against llama.cpp's tokenizer goldens and jinja2's renders. */
class TokenizerCommandsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = "../shared/fixtures/glm45/tiny-glm45air-F32.gguf";

    @TempDir
    Path tmp;

    JsonNode cases() throws IOException {
        return JSON.readTree(Path.of("../shared/fixtures/glm45/tiny-glm45air.tokenizer.json").toFile()).get("cases");
    }

    @Test
    void tokenizeJsonlGivesLlamaCppsIdsLineByLine() throws IOException {
        List<String> lines = new ArrayList<>();
        for (JsonNode c : cases()) lines.add(JSON.writeValueAsString(c.get("text").asText()));
        Path input = Files.write(tmp.resolve("texts.jsonl"), lines, StandardCharsets.UTF_8);
        for (String mode : List.of("parse_special", "no_parse_special")) {
            CliRunner r = mode.equals("parse_special")
                    ? CliRunner.run("tokenize", "-m", MODEL, "--jsonl", input.toString())
                    : CliRunner.run("tokenize", "-m", MODEL, "--no-special", "--jsonl", input.toString());
            assertThat(r.exitCode()).as(r.err()).isZero();
            List<String> out = r.out().lines().toList();
            int i = 0;
            for (JsonNode c : cases()) assertThat(JSON.readTree(out.get(i++))).as(c.get("text").asText()).isEqualTo(c.get(mode).get("ids"));
            assertThat(out).hasSize(lines.size());
        }
    }

    @Test
    void tokenizeATextArgumentAndAFile() throws IOException {
        JsonNode c = cases().get(cases().size() - 1);
        String text = c.get("text").asText();
        CliRunner r = CliRunner.run("tokenize", "-m", MODEL, text);
        assertThat(JSON.readTree(r.out())).isEqualTo(c.get("parse_special").get("ids"));
        Path file = Files.writeString(tmp.resolve("t.txt"), text, StandardCharsets.UTF_8);
        assertThat(JSON.readTree(CliRunner.run("tokenize", "-m", MODEL, "--text-file", file.toString()).out()))
                .isEqualTo(c.get("parse_special").get("ids"));
    }

    @Test
    void detokenizeGivesLlamaCppsBytes() throws IOException {
        for (JsonNode c : cases()) {
            JsonNode ids = c.get("parse_special").get("ids");
            if (ids.isEmpty()) continue;
            List<String> parts = new ArrayList<>();
            ids.forEach(id -> parts.add(id.asText()));
            CliRunner r = CliRunner.run("detokenize", "-m", MODEL, "--ids", String.join(",", parts));
            String expected = new String(HexFormat.of().parseHex(c.get("parse_special").get("detok_hex").asText()), StandardCharsets.UTF_8);
            assertThat(r.out()).isEqualTo(expected);
        }
    }

    @Test
    void renderReproducesEveryWorkedExampleByteForByte() throws IOException {
        for (JsonNode example : JSON.readTree(Path.of("../shared/reference/glm45/chat_examples.json").toFile())) {
            ObjectNode request = ((ObjectNode) example.get("inputs")).deepCopy();
            if (request.has("enable_thinking")) request.putObject("chat_template_kwargs").set("enable_thinking", request.remove("enable_thinking"));
            Path file = Files.writeString(tmp.resolve("req.json"), JSON.writeValueAsString(request), StandardCharsets.UTF_8);
            CliRunner r = CliRunner.run("render", "-m", MODEL, "--request", file.toString());
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).as(example.get("name").asText()).isEqualTo(example.get("rendered").asText());
        }
    }

    @Test
    void badInputIsOneLine() throws IOException {
        Path notJson = Files.writeString(tmp.resolve("req.json"), "{not json");
        LogitsCommandTest.assertOneLineError(CliRunner.run("render", "-m", MODEL, "--request", notJson.toString()), "error");
        Path badLine = Files.writeString(tmp.resolve("x.jsonl"), "\"ok\"\n42\n");
        LogitsCommandTest.assertOneLineError(CliRunner.run("tokenize", "-m", MODEL, "--jsonl", badLine.toString()), "line 2 is not a JSON string");
        LogitsCommandTest.assertOneLineError(CliRunner.run("detokenize", "-m", MODEL, "--ids", "5,700"), "token id 700 is outside the vocabulary");
        LogitsCommandTest.assertOneLineError(CliRunner.run("tokenize", "--tokenizer", "missing/tokenizer.json", "hi"), "not found");
    }
}
