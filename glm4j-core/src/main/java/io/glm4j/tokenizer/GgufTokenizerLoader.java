package io.glm4j.tokenizer;

import io.glm4j.Glm4jException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds a {@link Tokenizer} from a GGUF vocabulary the way llama.cpp interprets one. */
final class GgufTokenizerLoader {
    private GgufTokenizerLoader() {}

    static Tokenizer load(Vocabulary vocabulary) {
        if (!"gpt2".equals(vocabulary.model())) {
            throw new Glm4jException("tokenizer model '" + vocabulary.model() + "' is not supported (only gpt2 byte-level BPE)");
        }
        int n = vocabulary.tokens().size();
        String[] texts = vocabulary.tokens().toArray(new String[0]);
        TokenType[] types = vocabulary.tokenTypes().toArray(new TokenType[0]);
        Map<String, Integer> idsByText = new HashMap<>(n * 2);
        List<AddedToken> added = new ArrayList<>();
        for (int id = 0; id < n; id++) {
            idsByText.put(texts[id], id); // llama.cpp: a later duplicate wins
            if (types[id].isAddedToken()) {
                added.add(AddedToken.plain(id, texts[id], types[id] != TokenType.USER_DEFINED));
            }
        }
        MergeTable merges = MergeTable.fromPairs(pairs(vocabulary.merges()), idsByText);
        BytePairEncoder bpe = new BytePairEncoder(idsByText, merges, ignoresMerges(vocabulary.preTokenizer()), -1);
        PreTokenizer pre = RegexSplit.isolating(regexOf(vocabulary.preTokenizer()));
        return new Tokenizer(new LongestFirstSegmenter(added), pre, bpe, texts, types, idsByText,
                vocabulary.specialTokens());
    }

    /** The pre-tokenizer regex llama.cpp uses for a {@code tokenizer.ggml.pre} name. */
    static String regexOf(String pre) {
        return switch (pre) {
            case "glm4", "chatglm-bpe", "llama3", "llama-v3", "llama-bpe", "dbrx", "smaug-bpe" -> RegexSplit.CL100K;
            case "qwen2", "deepseek-r1-qwen", "megrez" -> RegexSplit.QWEN2;
            case "gpt-2", "phi-2" -> RegexSplit.GPT2;
            default -> throw new Glm4jException("pre-tokenizer '" + pre + "' is not supported");
        };
    }

    /** llama.cpp emits a pre-token that is a whole vocabulary entry directly only for these. */
    private static boolean ignoresMerges(String pre) {
        return switch (pre) {
            case "llama3", "llama-v3", "llama-bpe" -> true;
            default -> false;
        };
    }

    /** Splits {@code "left right"} merges at the first space after the first character, as llama.cpp does. */
    private static List<String[]> pairs(List<String> merges) {
        List<String[]> pairs = new ArrayList<>(merges.size());
        for (String merge : merges) {
            int space = merge.indexOf(' ', 1);
            if (space < 0) {
                throw new Glm4jException("merge '" + merge + "' is not two tokens separated by a space");
            }
            pairs.add(new String[] {merge.substring(0, space), merge.substring(space + 1)});
        }
        return pairs;
    }
}
