package io.glm4j.model.synth;

/**
 * GPT-2's byte-level alphabet: printable Latin-1 bytes stand for themselves, the other 68 bytes
 * for the characters from U+0100 on, so every byte sequence spells as visible text.
 */
final class ByteSymbols {
    private static final String[] SYMBOL = new String[256];
    /** The bytes in GPT-2 vocabulary order: '!'..'~', '¡'..'¬', '®'..'ÿ', then the rest ascending. */
    static final int[] ORDER = new int[256];

    static {
        int next = 0, extra = 0;
        for (int b = 0; b < 256; b++) {
            if (printable(b)) {
                SYMBOL[b] = Character.toString(b);
                ORDER[next++] = b;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!printable(b)) {
                SYMBOL[b] = Character.toString(256 + extra++);
                ORDER[next++] = b;
            }
        }
    }

    private ByteSymbols() {}

    private static boolean printable(int b) {
        return b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE;
    }

    static String symbol(int b) {
        return SYMBOL[b];
    }
}
