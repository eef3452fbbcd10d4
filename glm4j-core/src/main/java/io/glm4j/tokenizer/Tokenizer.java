package io.glm4j.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A byte-level BPE tokenizer (GLM-4.5, Llama 3, Qwen2/3 family): added tokens are cut out of the
 * text first, the rest is normalized (if the tokenizer says so), split by the pre-tokenizer regex,
 * and each piece's UTF-8 bytes are BPE-merged. Immutable and safe to share between threads.
 *
 * <p>Two sources, each with its reference's semantics: GGUF metadata ({@link #fromGgufMetadata},
 * matches llama.cpp) and a Hugging Face {@code tokenizer.json} ({@link #fromHuggingFace}, matches
 * the {@code tokenizers} library). Encoding never adds BOS/EOS; GLM-4.5's chat template writes
 * {@code [gMASK]<sop>} as text.
 *
 * <p>Java strings may hold unpaired surrogates, which have no UTF-8 form: encoding treats each one
 * as U+FFFD (what a lossy UTF-8 round trip would give), so such text never fails.
 */
public final class Tokenizer {
    private final Segmenter segmenter;
    private final PreTokenizer preTokenizer;
    private final BytePairEncoder bpe;
    private final String[] texts;
    private final TokenType[] types;
    private final byte[][] pieces;
    private final Map<String, Integer> idsByText;
    private final SpecialTokenIds specialTokens;

    /**
     * @param texts     each id's token as stored (byte-level spelling for BPE tokens, plain text for
     *                  added ones; null for ids without a token)
     * @param idsByText the id of each stored token text
     */
    Tokenizer(Segmenter segmenter, PreTokenizer preTokenizer, BytePairEncoder bpe, String[] texts,
            TokenType[] types, Map<String, Integer> idsByText, SpecialTokenIds specialTokens) {
        this.segmenter = segmenter;
        this.preTokenizer = preTokenizer;
        this.bpe = bpe;
        this.texts = texts;
        this.types = types;
        this.idsByText = idsByText;
        this.specialTokens = specialTokens;
        this.pieces = new byte[texts.length][];
        for (int id = 0; id < texts.length; id++) {
            pieces[id] = pieceOf(texts[id], types[id]);
        }
    }

    /** A tokenizer from GGUF {@code tokenizer.ggml.*} metadata, with llama.cpp's semantics. */
    public static Tokenizer fromGgufMetadata(Map<String, ?> metadata) {
        return fromVocabulary(Vocabulary.fromGgufMetadata(metadata));
    }

    /** A tokenizer from a GGUF-style vocabulary, with llama.cpp's semantics. */
    public static Tokenizer fromVocabulary(Vocabulary vocabulary) {
        return GgufTokenizerLoader.load(vocabulary);
    }

    /**
     * A tokenizer from a Hugging Face {@code tokenizer.json}; {@code tokenizer_config.json} beside
     * it, if present, names the bos/eos/pad/unk tokens.
     */
    public static Tokenizer fromHuggingFace(Path tokenizerJson) {
        return HuggingFaceTokenizerLoader.load(tokenizerJson);
    }

    /**
     * The token ids of {@code text}.
     *
     * @param parseSpecial whether special (CONTROL) tokens written in the text, such as
     *                     {@code <|user|>}, become their ids; when false they are encoded as plain
     *                     text. Non-special added tokens ({@code <think>}, ...) are matched either way.
     */
    public int[] encode(String text, boolean parseSpecial) {
        IdSink out = new IdSink();
        segmenter.segment(withoutLoneSurrogates(text), parseSpecial, new Segmenter.Sink() {
            @Override
            public void text(String plain) {
                preTokenizer.split(plain, piece -> bpe.encode(piece.getBytes(StandardCharsets.UTF_8), out));
            }

            @Override
            public void token(int id) {
                out.add(id);
            }
        });
        return out.toArray();
    }

    /** The bytes the ids stand for: their pieces concatenated (special tokens as their text). */
    public byte[] decode(int... ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            out.writeBytes(tokenBytes(id));
        }
        return out.toByteArray();
    }

    /** {@link #decode} as text; bytes that are not valid UTF-8 become U+FFFD. */
    public String decodeToString(int... ids) {
        return new String(decode(ids), StandardCharsets.UTF_8);
    }

    /**
     * The bytes of one token, which may be part of a UTF-8 character. Added tokens give their
     * text; ids without a token (UNUSED placeholders) give nothing, as in llama.cpp.
     */
    public byte[] tokenBytes(int id) {
        return pieces[checked(id)].clone();
    }

    /** The token as the vocabulary stores it (byte-level spelling for BPE tokens), or null. */
    public String tokenText(int id) {
        return texts[checked(id)];
    }

    public TokenType tokenType(int id) {
        return types[checked(id)];
    }

    /** The id of a stored token text: an added token's content or a BPE token's byte-level spelling. */
    public OptionalInt tokenId(String text) {
        Integer id = idsByText.get(text);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Number of ids, including ids without a token. */
    public int vocabularySize() {
        return texts.length;
    }

    public SpecialTokenIds specialTokens() {
        return specialTokens;
    }

    /** A decoder for generated ids one at a time that only ever returns whole characters. */
    public StreamingDecoder newStreamingDecoder() {
        return new StreamingDecoder(this);
    }

    private int checked(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + texts.length);
        }
        return id;
    }

    private static byte[] pieceOf(String text, TokenType type) {
        if (text == null) {
            return new byte[0];
        }
        return switch (type) {
            case NORMAL -> ByteLevel.decode(text);
            case CONTROL, USER_DEFINED, UNKNOWN -> text.getBytes(StandardCharsets.UTF_8);
            case BYTE -> text.matches("<0x[0-9A-Fa-f]{2}>")
                    ? new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)}
                    : ByteLevel.decode(text);
            case UNUSED -> new byte[0];
        };
    }

    private static String withoutLoneSurrogates(String text) {
        StringBuilder fixed = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (fixed != null) {
                    fixed.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (fixed == null) {
                    fixed = new StringBuilder(text.length()).append(text, 0, i);
                }
                fixed.append('\uFFFD');
            } else if (fixed != null) {
                fixed.append(c);
            }
        }
        return fixed == null ? text : fixed.toString();
    }
}
