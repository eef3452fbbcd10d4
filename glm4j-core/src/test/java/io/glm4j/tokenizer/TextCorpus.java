package io.glm4j.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic, seeded generator of test strings that stress a byte-level BPE tokenizer: prose,
 * code, whitespace runs (tabs, CR/LF, U+00A0, U+3000, ...), numbers in several scripts, accents and
 * combining marks, CJK, emoji with modifiers and ZWJ sequences, symbols, mixed scripts, the
 * tokenizer's added tokens inside text, and a few very long strings. Characters come from blocks
 * assigned long ago, so every regex engine's Unicode tables agree on them. Strings are well-formed
 * UTF-16 (no lone surrogates): those have no UTF-8 form to hand to a reference.
 */
final class TextCorpus {
    private static final String[] WORDS = ("the of and to in is was that for it as with be on not he I by this had "
            + "are at from his but have or which one you were her all she there would their we him been has when "
            + "who will more no if out so said what up its about into than them can only other new some could time "
            + "these two may then do first any my now such like our over man me even most made after also did many "
            + "before must through back years where much your way well down should because each just those people "
            + "Mr how too little state good very make world still own see men work long get here between both life "
            + "being under never day same another know while last might us great old year off come since against go "
            + "came right used take three tokenizer Hello GLM Air MoE inference Java llama.cpp JSON HTTP URL "
            + "naïve café résumé Ångström über façade coöperate jalapeño Straße ſtop Kelvin").split(" ");
    private static final String[] CONTRACTIONS = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE",
        "'VE", "'M", "'LL", "'D", "'Ll", "'x", "'", "''", "'ſ", "'K", "’s", "`"};
    private static final String[] CODE = {"def ", "return ", "if (", ") {", "}", "\t", "    ", "x = 1;", "i++",
        "==", "!=", "->", "=>", "::", "/* */", "// note", "#include <stdio.h>", "std::vector<int>", "λx.x",
        "foo_bar", "FooBar", "__init__", "0x1F", "1e-5", "a[i][j]", "\"str\"", "'c'", "`tick`", "$var",
        "@Override", "print(f\"{x!r}\")", "</div>", "<br/>", "&amp;", "\\n", "\\\\", "...", "?.", "??", "|>"};
    private static final String[] WHITESPACE = {" ", " ", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r", "\u000B",
        "\f", "\u00A0", "\u3000", "\u2003", "\u2009", "\u200B", "\u0085", "\u2028", "\u2029", "\u1680", "\u202F",
        "\u205F", "\uFEFF", "\u001C", "\u001F"};
    private static final String[] DIGITS = {"0123456789", "٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９", "०१२३४५६७८९",
        "²³¹¼½¾", "ⅠⅡⅢⅫⅿ", "①②③⑳", "〇一二三"};
    private static final String[] SYMBOLS = {"!", "\"", "#", "$", "%", "&", "(", ")", "*", "+", ",", "-", ".",
        "/", ":", ";", "<", "=", ">", "?", "@", "[", "]", "^", "_", "{", "|", "}", "~", "€", "£", "¥", "₹", "©",
        "®", "™", "°", "±", "×", "÷", "∑", "∫", "√", "∞", "≤", "≠", "→", "⇒", "↔", "•", "…", "—", "–", "«", "»",
        "“", "”", "‘", "’", "¿", "¡", "§", "¶", "─", "│", "┌", "█", "♠", "♥", "★", "✓", "\u00AD", "\u0000",
        "\u0007", "\u007F", "\u200D", "\u2060", "\uFFFD", "\uE000"};
    private static final String[] EMOJI = {"😀", "🚀", "🦙", "✅", "❤️", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "😶‍🌫️", "🇫🇷",
        "🇯🇵", "1️⃣", "#️⃣", "🧑🏿‍💻", "👩‍❤️‍💋‍👨", "☺", "⌚", "🀄", "🃏", "🫠", "🪐", "🤖", "💡", "🔥"};
    /** [from, to] code point ranges of long-assigned letters and marks in many scripts. */
    private static final int[][] SCRIPTS = {{0x00C0, 0x024F}, {0x0370, 0x03FF}, {0x0400, 0x04FF}, {0x0531, 0x0556},
        {0x05D0, 0x05EA}, {0x0620, 0x064A}, {0x0900, 0x097F}, {0x0E01, 0x0E3A}, {0x10A0, 0x10C5}, {0x1100, 0x1112},
        {0x3041, 0x3096}, {0x30A1, 0x30FA}, {0x4E00, 0x9FA5}, {0xAC00, 0xD7A3}, {0x0300, 0x036F}, {0x1E00, 0x1EFF},
        {0xFF01, 0xFF5E}, {0x3000, 0x303F}, {0x2000, 0x206F}, {0x1D400, 0x1D4FF}, {0x20000, 0x2A6D6}};

    private final SplittableRandom random;
    private final List<String> addedTokens;

    private TextCorpus(long seed, List<String> addedTokens) {
        this.random = new SplittableRandom(seed);
        this.addedTokens = addedTokens;
    }

    /**
     * {@code count} strings from {@code seed}; {@code addedTokens} (the tokenizer's added token
     * contents) are sprinkled in, whole and cut.
     */
    static List<String> generate(long seed, int count, List<String> addedTokens) {
        TextCorpus corpus = new TextCorpus(seed, addedTokens);
        List<String> strings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            strings.add(corpus.next(i % 250 == 7));
        }
        return strings;
    }

    private String next(boolean long_) {
        StringBuilder out = new StringBuilder();
        int fragments = long_ ? 500 + random.nextInt(3000) : 1 + random.nextInt(random.nextBoolean() ? 4 : 16);
        for (int i = 0; i < fragments; i++) {
            fragment(out);
        }
        if (long_ && random.nextBoolean()) {
            String run = pick(new String[] {" ", "\t", "\n", "a", "é", "9", "!", "\u3000", "中", "🚀"});
            int at = out.offsetByCodePoints(0, random.nextInt(out.codePointCount(0, out.length()) + 1));
            out.insert(at, run.repeat(500 + random.nextInt(3000)));
        }
        return out.toString();
    }

    private void fragment(StringBuilder out) {
        switch (random.nextInt(16)) {
            case 0, 1, 2, 3 -> out.append(random.nextInt(3) == 0 ? "" : " ").append(word());
            case 4 -> out.append(pick(CONTRACTIONS));
            case 5 -> out.append(pick(CODE));
            case 6, 7 -> out.append(pick(WHITESPACE).repeat(1 + (random.nextInt(4) == 0 ? random.nextInt(40) : 0)));
            case 8 -> number(out);
            case 9 -> out.append(pick(SYMBOLS).repeat(1 + random.nextInt(3)));
            case 10 -> out.append(pick(EMOJI));
            case 11, 12 -> script(out);
            case 13 -> addedToken(out);
            case 14 -> out.append(". ").append(capitalized(word()));
            default -> out.append(random.nextBoolean() ? "\n" : " ").append(word()).append(pick(SYMBOLS));
        }
    }

    private String word() {
        String w = pick(WORDS);
        return switch (random.nextInt(8)) {
            case 0 -> w.toUpperCase(java.util.Locale.ROOT);
            case 1 -> capitalized(w);
            case 2 -> w + w;
            default -> w;
        };
    }

    private static String capitalized(String w) {
        return w.isEmpty() ? w : Character.toUpperCase(w.charAt(0)) + w.substring(1);
    }

    private void number(StringBuilder out) {
        String digits = pick(DIGITS);
        int length = 1 + random.nextInt(random.nextInt(5) == 0 ? 25 : 6);
        for (int i = 0; i < length; i++) {
            out.appendCodePoint(digits.codePointAt(digits.offsetByCodePoints(0, random.nextInt(digits.codePointCount(0, digits.length())))));
            if (random.nextInt(8) == 0) {
                out.append(pick(new String[] {",", ".", " ", "-", "e", "%", "/"}));
            }
        }
    }

    private void script(StringBuilder out) {
        int[] range = SCRIPTS[random.nextInt(SCRIPTS.length)];
        int length = 1 + random.nextInt(10);
        for (int i = 0; i < length; i++) {
            int cp = range[0] + random.nextInt(range[1] - range[0] + 1);
            if (Character.isDefined(cp) && Character.getType(cp) != Character.UNASSIGNED) {
                out.appendCodePoint(cp);
            }
        }
        if (random.nextInt(3) == 0) {
            out.append("\u0301"); // combining acute: NFC may fold it into the previous letter
        }
    }

    private void addedToken(StringBuilder out) {
        if (addedTokens.isEmpty()) {
            return;
        }
        String token = pick(addedTokens.toArray(new String[0]));
        switch (random.nextInt(6)) {
            case 0 -> out.append(token.substring(0, random.nextInt(token.length()))); // a cut token stays text
            case 1 -> out.append(token).append(token);
            case 2 -> out.append(' ').append(token).append(' ');
            default -> out.append(token);
        }
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }
}
