package io.glm4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.StreamSupport;

/** llama.cpp's tokenizer goldens for the tiny GLM-4.5-Air fixture ({@code tiny-glm45air.tokenizer.json}). */
record LlamaCppGoldens(String text, Result parseSpecial, Result noParseSpecial) {

    static final Path FIXTURES = Path.of("../shared/fixtures/glm45");

    /** What llama.cpp produced for one text with one setting of special parsing. */
    record Result(int[] ids, List<byte[]> pieces, byte[] detokenized) {}

    static List<LlamaCppGoldens> load() throws IOException {
        JsonNode root = new ObjectMapper().readTree(FIXTURES.resolve("tiny-glm45air.tokenizer.json").toFile());
        List<LlamaCppGoldens> cases = new ArrayList<>();
        for (JsonNode c : root.path("cases")) {
            String text = new String(HexFormat.of().parseHex(c.path("text_hex").asText()), java.nio.charset.StandardCharsets.UTF_8);
            cases.add(new LlamaCppGoldens(text, result(c.path("parse_special")), result(c.path("no_parse_special"))));
        }
        return cases;
    }

    private static Result result(JsonNode node) {
        int[] ids = StreamSupport.stream(node.path("ids").spliterator(), false).mapToInt(JsonNode::asInt).toArray();
        List<byte[]> pieces = StreamSupport.stream(node.path("pieces_hex").spliterator(), false)
                .map(p -> HexFormat.of().parseHex(p.asText())).toList();
        return new Result(ids, pieces, HexFormat.of().parseHex(node.path("detok_hex").asText()));
    }

    @Override
    public String toString() {
        return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }
}
