package io.glm4j.hf;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.Glm4jException;
import io.glm4j.tokenizer.TokenType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's tokenizer as llama.cpp's converter stores it in GGUF ({@code tokenizer.ggml.*}):
 * every id up to {@code vocab_size} with its token (byte-level spelling) and type — BPE tokens NORMAL,
 * added tokens CONTROL when {@code special} or spelled {@code <|…|>}, USER_DEFINED otherwise, ids
 * without a token {@code [PAD<id>]} UNUSED —, the merges as {@code "a b"} strings, the pre-tokenizer
 * {@code glm4} (GLM-4's split regex), and the ids with a role, chosen as gguf-py's {@code SpecialVocab}
 * and {@code _set_vocab_glm} choose them.
 *
 * @param specialIds GGUF key suffix ({@code eos}, {@code padding}, ...) → id, in the order the converter writes them
 * @param addFlags   {@code add_bos_token}-style flags that {@code tokenizer_config.json} sets
 */
public record HfVocabulary(List<String> tokens, int[] types, List<String> merges, String preTokenizer,
        Map<String, Integer> specialIds, Map<String, Boolean> addFlags) {

    /** GLM-4's {@code pat_str}, as the Split pre-tokenizer of GLM-4.5's tokenizer.json holds it. */
    static final String GLM4_SPLIT =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** gguf-py's special-token types in its order, with the GGUF key each is written under. */
    private static final String[][] ROLES = {
        {"bos", "bos"}, {"eos", "eos"}, {"unk", "unknown"}, {"sep", "seperator"}, {"pad", "padding"}, {"cls", "cls"}, {"mask", "mask"}};

    public static HfVocabulary read(Path directory, int vocabSize) {
        JsonNode tokenizer = JsonFiles.read(directory.resolve(HfCheckpoint.TOKENIZER));
        JsonNode model = tokenizer.path("model");
        if (!model.path("type").asText().equals("BPE")) {
            throw new Glm4jException(HfCheckpoint.TOKENIZER + ": tokenizer model '" + model.path("type").asText() + "' is not BPE");
        }
        String[] texts = new String[vocabSize];
        int[] types = new int[vocabSize];
        model.path("vocab").properties().forEach(e -> place(texts, types, e.getValue().asInt(), e.getKey(), TokenType.NORMAL));
        JsonNode added = tokenizer.path("added_tokens");
        for (JsonNode t : added) {
            String content = t.path("content").asText();
            boolean control = t.path("special").asBoolean() || content.startsWith("<|") && content.endsWith("|>");
            place(texts, types, t.path("id").asInt(), content, control ? TokenType.CONTROL : TokenType.USER_DEFINED);
        }
        List<String> tokens = new ArrayList<>(vocabSize);
        for (int id = 0; id < vocabSize; id++) {
            if (texts[id] == null) {
                texts[id] = "[PAD" + id + "]";
                types[id] = TokenType.UNUSED.ggufCode();
            }
            tokens.add(texts[id]);
        }
        return new HfVocabulary(tokens, types, merges(model.path("merges")), preTokenizer(tokenizer.path("pre_tokenizer")),
                specialIds(directory, added, vocabSize), addFlags(directory));
    }

    private static void place(String[] texts, int[] types, int id, String text, TokenType type) {
        if (id < 0 || id >= texts.length) {
            throw new Glm4jException(HfCheckpoint.TOKENIZER + ": token '" + text + "' has id " + id
                    + ", outside config.json's vocab_size " + texts.length);
        }
        texts[id] = text;
        types[id] = type.ggufCode();
    }

    private static List<String> merges(JsonNode merges) {
        List<String> out = new ArrayList<>(merges.size());
        for (JsonNode m : merges) out.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        return out;
    }

    /** llama.cpp names pre-tokenizers; GLM-4.5's split regex is its {@code glm4}. */
    private static String preTokenizer(JsonNode pre) {
        List<String> regexes = new ArrayList<>();
        collectSplits(pre, regexes);
        if (regexes.equals(List.of(GLM4_SPLIT))) return "glm4";
        throw new Glm4jException(HfCheckpoint.TOKENIZER + ": the pre-tokenizer splits by " + regexes
                + ", not GLM-4's regex; llama.cpp would tokenize a converted file differently");
    }

    private static void collectSplits(JsonNode node, List<String> out) {
        if (node.path("type").asText().equals("Split")) out.add(node.path("pattern").path("Regex").asText());
        for (JsonNode child : node.path("pretokenizers")) collectSplits(child, out);
    }

    /**
     * The roles from {@code tokenizer_config.json} (bos, eos, unk, sep, pad, cls, mask: an added token's
     * content), then {@code config.json}'s {@code <role>_token_id} integers, then GLM's own: bos
     * {@code [gMASK]}, eot {@code <|user|>}, unk {@code <|endoftext|>}, eom {@code <|observation|>}. A role
     * keeps the first id it gets.
     */
    private static Map<String, Integer> specialIds(Path directory, JsonNode added, int vocabSize) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        JsonNode config = JsonFiles.readIfPresent(directory.resolve(HfCheckpoint.TOKENIZER_CONFIG));
        if (config != null) {
            for (String[] role : ROLES) {
                JsonNode entry = config.path(role[0] + "_token");
                String content = entry.isObject() ? entry.path("content").asText(null) : entry.isTextual() ? entry.asText() : null;
                if (content != null) setOnce(ids, role[1], idOf(added, content), vocabSize);
            }
        }
        JsonNode hfConfig = JsonFiles.read(directory.resolve(HfConfig.FILE));
        for (String[] role : ROLES) {
            JsonNode id = hfConfig.path(role[0] + "_token_id");
            if (id.isInt()) setOnce(ids, role[1], id.asInt(), vocabSize);
        }
        setOnce(ids, "bos", idOf(added, "[gMASK]"), vocabSize);
        setOnce(ids, "eot", idOf(added, "<|user|>"), vocabSize);
        setOnce(ids, "unknown", idOf(added, "<|endoftext|>"), vocabSize);
        setOnce(ids, "eom", idOf(added, "<|observation|>"), vocabSize);
        return ids;
    }

    private static Integer idOf(JsonNode added, String content) {
        for (JsonNode t : added) if (t.path("content").asText().equals(content)) return t.path("id").asInt();
        return null;
    }

    private static void setOnce(Map<String, Integer> ids, String role, Integer id, int vocabSize) {
        if (id != null && id >= 0 && id < vocabSize) ids.putIfAbsent(role, id);
    }

    private static Map<String, Boolean> addFlags(Path directory) {
        Map<String, Boolean> flags = new LinkedHashMap<>();
        JsonNode config = JsonFiles.readIfPresent(directory.resolve(HfCheckpoint.TOKENIZER_CONFIG));
        if (config == null) return flags;
        for (String[] role : ROLES) {
            JsonNode flag = config.path("add_" + role[0] + "_token");
            if (flag.isBoolean()) flags.put(role[0], flag.asBoolean());
        }
        return flags;
    }
}
