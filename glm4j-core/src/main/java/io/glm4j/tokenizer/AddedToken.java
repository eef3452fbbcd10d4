package io.glm4j.tokenizer;

/**
 * A token matched as a whole in input text before pre-tokenization, with Hugging Face's flags.
 *
 * @param special    matched only when special parsing is on (CONTROL in GGUF terms)
 * @param lstrip     swallows the whitespace before it
 * @param rstrip     swallows the whitespace after it
 * @param singleWord matched only when not inside a word
 * @param normalized matched against normalized text instead of the raw input
 */
record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip,
        boolean singleWord, boolean normalized) {

    static AddedToken plain(int id, String content, boolean special) {
        return new AddedToken(id, content, special, false, false, false, false);
    }
}
