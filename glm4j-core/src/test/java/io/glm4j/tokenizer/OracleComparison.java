package io.glm4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/** Encodes a corpus with ours and a reference and reports the strings where the ids differ. */
final class OracleComparison {
    private OracleComparison() {}

    static void assertSameIds(List<String> corpus, Function<String, int[]> ours, Function<String, int[]> reference) {
        List<String> mismatches = new ArrayList<>();
        int mismatchCount = 0;
        for (String text : corpus) {
            int[] expected = reference.apply(text);
            int[] actual = ours.apply(text);
            if (!Arrays.equals(expected, actual)) {
                mismatchCount++;
                if (mismatches.size() < 8) {
                    mismatches.add(escape(text) + "\n    reference " + Arrays.toString(clip(expected))
                            + "\n    ours      " + Arrays.toString(clip(actual)));
                }
            }
        }
        assertThat(mismatches).as("%d of %d strings encode differently", mismatchCount, corpus.size()).isEmpty();
    }

    private static int[] clip(int[] ids) {
        return ids.length > 60 ? Arrays.copyOf(ids, 60) : ids;
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder();
        String clipped = text.length() > 300 ? text.substring(0, 300) + "…(" + text.length() + " chars)" : text;
        clipped.codePoints().forEach(cp -> {
            if (cp < 0x20 || (cp >= 0x7F && cp < 0xA1) || Character.isWhitespace(cp) && cp != ' '
                    || Character.getType(cp) == Character.FORMAT || cp == 0xA0 || cp == 0x3000) {
                out.append(String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
