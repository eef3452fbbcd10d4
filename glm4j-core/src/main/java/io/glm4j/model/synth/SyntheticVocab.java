package io.glm4j.model.synth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A GLM-4.5-shaped tokenizer vocabulary made without GLM's real one: the 256 byte symbols, BPE
 * merges learned from a small built-in English text, more merges of short tokens drawn at random
 * (with a fixed seed) when a preset needs more tokens than that text yields, then GLM-4.5's 36
 * added tokens in their real order and {@code [PAD<id>]} up to the vocabulary size — the layout
 * {@code convert_hf_to_gguf.py} writes for GLM-4.5, where {@code <|endoftext|>} is the first added token.
 *
 * @param tokens token strings by id
 * @param types  GGUF token types by id (1 normal, 3 control, 4 user-defined, 5 unused)
 * @param merges BPE merges "a b" in rank order
 */
public record SyntheticVocab(List<String> tokens, int[] types, List<String> merges) {

    static final int NORMAL = 1, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5;

    /** GLM-4.5's added tokens in id order (151329..151364 in the real vocabulary). */
    public static final List<String> ADDED_TOKENS = List.of(
            "<|endoftext|>", "[MASK]", "[gMASK]", "[sMASK]", "<sop>", "<eop>", "<|system|>", "<|user|>",
            "<|assistant|>", "<|observation|>", "<|begin_of_image|>", "<|end_of_image|>", "<|begin_of_video|>",
            "<|end_of_video|>", "<|begin_of_audio|>", "<|end_of_audio|>", "<|begin_of_transcription|>",
            "<|end_of_transcription|>", "<|code_prefix|>", "<|code_middle|>", "<|code_suffix|>", "<think>", "</think>",
            "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<arg_key>", "</arg_key>",
            "<arg_value>", "</arg_value>", "/nothink", "<|begin_of_box|>", "<|end_of_box|>", "<|image|>", "<|video|>");

    /** The first 21 added tokens are {@code special} in GLM-4.5's tokenizer_config; the converter makes them CONTROL, as any {@code <|...|>}. */
    private static final int SPECIAL_ADDED_TOKENS = 21;
    private static final long FILLER_SEED = 0x61C8864680B583EBL;
    private static final int FILLER_MAX_LENGTH = 8;

    /** {@code normalTokens} byte-level tokens (256 bytes + merges), the added tokens, then padding to {@code vocabSize}. */
    public static SyntheticVocab build(int normalTokens, int vocabSize) {
        if (normalTokens < 256 || normalTokens + ADDED_TOKENS.size() > vocabSize) {
            throw new IllegalArgumentException(normalTokens + " normal tokens do not fit a vocabulary of " + vocabSize);
        }
        List<String> tokens = new ArrayList<>(vocabSize);
        for (int b : ByteSymbols.ORDER) tokens.add(ByteSymbols.symbol(b));
        List<String> merges = new ArrayList<>(BpeTrainer.train(corpus(), normalTokens - 256));
        Set<String> known = new HashSet<>(tokens);
        for (String merge : merges) {
            String token = merge.replace(" ", "");
            tokens.add(token);
            known.add(token);
        }
        addRandomMerges(tokens, known, merges, normalTokens);
        int[] types = new int[vocabSize];
        Arrays.fill(types, 0, normalTokens, NORMAL);
        for (int i = 0; i < ADDED_TOKENS.size(); i++) {
            String added = ADDED_TOKENS.get(i);
            types[tokens.size()] = i < SPECIAL_ADDED_TOKENS || added.startsWith("<|") ? CONTROL : USER_DEFINED;
            tokens.add(added);
        }
        while (tokens.size() < vocabSize) {
            types[tokens.size()] = UNUSED;
            tokens.add("[PAD" + tokens.size() + "]");
        }
        return new SyntheticVocab(List.copyOf(tokens), types, List.copyOf(merges));
    }

    /** Joins two random short tokens into a new one until there are {@code count} tokens. */
    private static void addRandomMerges(List<String> tokens, Set<String> known, List<String> merges, int count) {
        List<String> shortTokens = new ArrayList<>(tokens.stream().filter(t -> t.length() <= FILLER_MAX_LENGTH / 2).toList());
        for (long draw = 0; tokens.size() < count; draw++) {
            long r = CounterRandom.bits(FILLER_SEED, draw);
            String a = shortTokens.get((int) Long.remainderUnsigned(r, shortTokens.size()));
            String b = shortTokens.get((int) Long.remainderUnsigned(r >>> 32, shortTokens.size()));
            String joined = a + b;
            if (joined.length() > FILLER_MAX_LENGTH || !known.add(joined)) continue;
            tokens.add(joined);
            merges.add(a + " " + b);
            if (joined.length() <= FILLER_MAX_LENGTH / 2) shortTokens.add(joined);
        }
    }

    public int id(String token) {
        int id = tokens.indexOf(token);
        if (id < 0) throw new IllegalArgumentException("no token " + token);
        return id;
    }

    private static String corpus() {
        return resource("corpus.txt") + "\n" + SyntheticModel.chatTemplate();
    }

    static String resource(String name) {
        try (InputStream in = Objects.requireNonNull(SyntheticVocab.class.getResourceAsStream(name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
