package io.glm4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glm4j.Glm4jException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Builds a {@link Tokenizer} from a Hugging Face {@code tokenizer.json} holding a byte-level BPE
 * model, with the {@code tokenizers} library's semantics. Anything this engine does not implement
 * (another model type, byte fallback, an unknown normalizer or pre-tokenizer) is refused by name
 * rather than silently encoded differently.
 */
final class HuggingFaceTokenizerLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HuggingFaceTokenizerLoader() {}

    static Tokenizer load(Path tokenizerJson) {
        JsonNode root = read(tokenizerJson);
        JsonNode model = root.path("model");
        requireModel(model, tokenizerJson);

        Map<String, Integer> vocab = new HashMap<>();
        model.path("vocab").properties().forEach(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        List<AddedToken> added = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            added.add(new AddedToken(t.path("id").asInt(), t.path("content").asText(), t.path("special").asBoolean(),
                    t.path("lstrip").asBoolean(), t.path("rstrip").asBoolean(), t.path("single_word").asBoolean(),
                    t.path("normalized").asBoolean(!t.path("special").asBoolean())));
        }

        int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        for (AddedToken t : added) {
            size = Math.max(size, t.id() + 1);
        }
        String[] texts = new String[size];
        TokenType[] types = new TokenType[size];
        Arrays.fill(types, TokenType.UNUSED);
        vocab.forEach((text, id) -> {
            texts[id] = text;
            types[id] = TokenType.NORMAL;
        });
        Map<String, Integer> idsByText = new HashMap<>(vocab);
        for (AddedToken t : added) {
            texts[t.id()] = t.content();
            types[t.id()] = t.special() ? TokenType.CONTROL : TokenType.USER_DEFINED;
            idsByText.put(t.content(), t.id());
        }

        int unknownId = model.path("unk_token").isTextual()
                ? idsByText.getOrDefault(model.path("unk_token").asText(), -1) : -1;
        BytePairEncoder bpe = new BytePairEncoder(vocab, MergeTable.fromPairs(merges(model.path("merges")), vocab),
                model.path("ignore_merges").asBoolean(false), unknownId);
        UnaryOperator<String> normalizer = normalizer(root.path("normalizer"));
        PreTokenizer pre = preTokenizer(root.path("pre_tokenizer"));
        SpecialTokenIds special = specialTokens(tokenizerJson.resolveSibling("tokenizer_config.json"), idsByText);
        return new Tokenizer(new LeftmostLongestSegmenter(added, normalizer), pre, bpe, texts, types, idsByText, special);
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new Glm4jException("cannot read tokenizer file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void requireModel(JsonNode model, Path file) {
        if (!"BPE".equals(model.path("type").asText())) {
            throw new Glm4jException(file + ": tokenizer model '" + model.path("type").asText() + "' is not supported (only BPE)");
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw new Glm4jException(file + ": BPE byte_fallback is not supported");
        }
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!model.path(affix).asText("").isEmpty()) {
                throw new Glm4jException(file + ": BPE " + affix + " is not supported");
            }
        }
    }

    /** Merges as {@code "a b"} strings (older files) or {@code ["a", "b"]} pairs (newer ones). */
    private static List<String[]> merges(JsonNode merges) {
        List<String[]> pairs = new ArrayList<>(merges.size());
        for (JsonNode m : merges) {
            if (m.isArray() && m.size() == 2) {
                pairs.add(new String[] {m.get(0).asText(), m.get(1).asText()});
            } else {
                String s = m.asText();
                int space = s.indexOf(' ');
                if (space < 0 || s.indexOf(' ', space + 1) >= 0) {
                    throw new Glm4jException("merge '" + s + "' is not two tokens separated by a space");
                }
                pairs.add(new String[] {s.substring(0, space), s.substring(space + 1)});
            }
        }
        return pairs;
    }

    private static UnaryOperator<String> normalizer(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return UnaryOperator.identity();
        }
        String type = node.path("type").asText();
        return switch (type) {
            case "NFC" -> s -> Normalizer.normalize(s, Normalizer.Form.NFC);
            case "NFD" -> s -> Normalizer.normalize(s, Normalizer.Form.NFD);
            case "NFKC" -> s -> Normalizer.normalize(s, Normalizer.Form.NFKC);
            case "NFKD" -> s -> Normalizer.normalize(s, Normalizer.Form.NFKD);
            case "Sequence" -> {
                UnaryOperator<String> all = UnaryOperator.identity();
                for (JsonNode n : node.path("normalizers")) {
                    UnaryOperator<String> before = all;
                    UnaryOperator<String> step = normalizer(n);
                    all = s -> step.apply(before.apply(s));
                }
                yield all;
            }
            default -> throw new Glm4jException("normalizer '" + type + "' is not supported");
        };
    }

    /** The pre-tokenizer stages; a byte-level BPE model must have a ByteLevel stage among them. */
    private static PreTokenizer preTokenizer(JsonNode node) {
        List<PreTokenizer> stages = new ArrayList<>();
        if (!addStages(node, stages)) {
            throw new Glm4jException("pre-tokenizer has no ByteLevel step: not a byte-level BPE tokenizer");
        }
        return stages.isEmpty() ? (text, pieces) -> pieces.accept(text) : PreTokenizer.sequence(stages);
    }

    /** Adds the stages of {@code node}; returns whether one of them was ByteLevel. */
    private static boolean addStages(JsonNode node, List<PreTokenizer> stages) {
        String type = node.path("type").asText();
        switch (type) {
            case "Sequence" -> {
                boolean byteLevel = false;
                for (JsonNode step : node.path("pretokenizers")) {
                    byteLevel |= addStages(step, stages);
                }
                return byteLevel;
            }
            case "ByteLevel" -> {
                if (node.path("add_prefix_space").asBoolean(true)) {
                    stages.add(PreTokenizer.prefixSpace());
                }
                if (node.path("use_regex").asBoolean(true)) {
                    stages.add(RegexSplit.isolating(RegexSplit.GPT2));
                }
                return true;
            }
            case "Split" -> {
                JsonNode pattern = node.path("pattern");
                Pattern compiled = pattern.has("Regex")
                        ? RegexSplit.compile(pattern.path("Regex").asText())
                        : RegexSplit.compile(Pattern.quote(pattern.path("String").asText()));
                stages.add(new RegexSplit(compiled, behavior(node.path("behavior").asText()),
                        node.path("invert").asBoolean(false)));
                return false;
            }
            case "Digits" -> {
                stages.add(RegexSplit.isolating(node.path("individual_digits").asBoolean(false) ? "\\p{N}" : "\\p{N}+"));
                return false;
            }
            default -> throw new Glm4jException("pre-tokenizer '" + type + "' is not supported");
        }
    }

    private static RegexSplit.Behavior behavior(String name) {
        return switch (name) {
            case "Isolated" -> RegexSplit.Behavior.ISOLATED;
            case "Removed" -> RegexSplit.Behavior.REMOVED;
            case "MergedWithPrevious" -> RegexSplit.Behavior.MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> RegexSplit.Behavior.MERGED_WITH_NEXT;
            case "Contiguous" -> RegexSplit.Behavior.CONTIGUOUS;
            default -> throw new Glm4jException("split behavior '" + name + "' is not supported");
        };
    }

    /** bos/eos/pad/unk from tokenizer_config.json (a token's content, or {"content": ...}). */
    private static SpecialTokenIds specialTokens(Path config, Map<String, Integer> idsByText) {
        if (!Files.isRegularFile(config)) {
            return SpecialTokenIds.NONE;
        }
        JsonNode root = read(config);
        return new SpecialTokenIds(roleId(root, "bos_token", idsByText), roleId(root, "eos_token", idsByText),
                OptionalInt.empty(), OptionalInt.empty(),
                roleId(root, "pad_token", idsByText), roleId(root, "unk_token", idsByText));
    }

    private static OptionalInt roleId(JsonNode config, String key, Map<String, Integer> idsByText) {
        JsonNode value = config.path(key);
        String content = value.isObject() ? value.path("content").asText(null) : value.asText(null);
        Integer id = content == null ? null : idsByText.get(content);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }
}
