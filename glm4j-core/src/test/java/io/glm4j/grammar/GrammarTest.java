package io.glm4j.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.glm4j.Glm4jException;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GrammarTest {

    @Test
    void literalsSequencesAndAlternatives() {
        CompiledGrammar g = CompiledGrammar.parse("root ::= \"yes\" | \"no\" \"!\"?\n");
        assertThat(g.matches("yes")).isTrue();
        assertThat(g.matches("no")).isTrue();
        assertThat(g.matches("no!")).isTrue();
        assertThat(g.matches("yes!")).isFalse();
        assertThat(g.matches("")).isFalse();
        assertThat(g.matchesPrefix("n")).isTrue();
        assertThat(g.matchesPrefix("x")).isFalse();
    }

    @Test
    void characterClassesWithRangesNegationAndEscapes() {
        CompiledGrammar g = CompiledGrammar.parse("""
                root ::= [a-c0-9]+ [^\\n"] "\\x41\\u00e9\\U0001F600" [\\]\\-]
                """);
        assertThat(g.matches("a9b" + "x" + "Aé😀" + "]")).isTrue();
        assertThat(g.matches("a9b" + "é" + "Aé😀" + "-")).isTrue();
        assertThat(g.matches("a9b" + "\n" + "Aé😀" + "]")).isFalse();
        assertThat(g.matches("a9d" + "x" + "Aé😀" + "]")).isFalse();
    }

    @Test
    void negatedClassesMatchMultiByteCharactersByteByByte() {
        CompiledGrammar g = CompiledGrammar.parse("root ::= [^a]*");
        assertThat(g.matches("ü€😀ß")).isTrue();
        assertThat(g.matches("üa")).isFalse();
        // a lone continuation byte or truncated sequence is not UTF-8
        ParseState s = g.advance(g.start(), new byte[] {(byte) 0xE2, (byte) 0x82});
        assertThat(s.isDead()).isFalse();
        assertThat(s.accepting).isFalse();
        assertThat(g.advance(g.start(), new byte[] {(byte) 0x82}).isDead()).isTrue();
        assertThat(g.advance(g.start(), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}).isDead()).as("surrogate").isTrue();
    }

    @Test
    void boundedRepetitions() {
        CompiledGrammar g = CompiledGrammar.parse("root ::= \"a\"{2,4} \"b\"{3} \"c\"{2,} \"d\"{,1}");
        assertThat(g.matches("aabbbcc")).isTrue();
        assertThat(g.matches("aaaabbbccccd")).isTrue();
        assertThat(g.matches("abbbcc")).isFalse();
        assertThat(g.matches("aaaaabbbcc")).isFalse();
        assertThat(g.matches("aabbcc")).isFalse();
        assertThat(g.matches("aabbbc")).isFalse();
        assertThat(g.matches("aabbbccdd")).isFalse();
    }

    @Test
    void matchingGoesOnWhenTheParseStateTablesAreDroppedAndRebuilt() {
        CompiledGrammar g = CompiledGrammar.parse("root ::= [0-9]{0,30000} \"!\"");
        String digits = "7".repeat(25_000); // one parse state per position: past the table limit
        assertThat(g.matches(digits + "!")).isTrue();
        assertThat(g.matches(digits + "!")).isTrue();
        assertThat(g.matches("7".repeat(30_001) + "!")).isFalse();
    }

    @Test
    void recursiveRulesCommentsAndMultiLineGroups() {
        CompiledGrammar g = CompiledGrammar.parse("""
                # balanced brackets
                root ::= item*   # zero or more
                item ::= (
                    "(" root ")" |
                    "x"
                )
                """);
        assertThat(g.matches("x(x(x)())")).isTrue();
        assertThat(g.matches("(((((((((())))))))))")).isTrue();
        assertThat(g.matches("(()")).isFalse();
        assertThat(g.matches("())")).isFalse();
    }

    @Test
    void rightRecursionStaysFinite() {
        CompiledGrammar g = CompiledGrammar.parse("root ::= \"[\" list \"]\"\nlist ::= [0-9] (\",\" list)?\n");
        String many = "[" + String.join(",", java.util.Collections.nCopies(5000, "7")) + "]";
        assertThat(g.matches(many)).isTrue();
        assertThat(g.matches("[1,2,]")).isFalse();
    }

    @Test
    void aLlamaCppJsonGrammarAcceptsJsonAndRejectsTheRest() {
        CompiledGrammar g = CompiledGrammar.parse("""
                root   ::= object
                value  ::= object | array | string | number | ("true" | "false" | "null") ws
                object ::=
                  "{" ws (
                            string ":" ws value
                    ("," ws string ":" ws value)*
                  )? "}" ws
                array  ::=
                  "[" ws (
                            value
                    ("," ws value)*
                  )? "]" ws
                string ::=
                  "\\"" (
                    [^"\\\\\\x7F\\x00-\\x1F] |
                    "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4})
                  )* "\\"" ws
                number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws
                ws ::= | " " | "\\n" [ \\t]{0,20}
                """);
        assertThat(g.matches("{\"a\": [1, 2.5, -3e7, \"x\\n\\u00e9\"], \"b\": {\"c\": null}}")).isTrue();
        assertThat(g.matches("{\"a\": [1, 2,]}")).isFalse();
        assertThat(g.matches("{\"a\" 1}")).isFalse();
        assertThat(g.matches("[1]")).isFalse();
    }

    @Test
    void errorsNameTheProblemAndWhere() {
        assertThatThrownBy(() -> Grammar.parse("root ::= \"a\" foo\n")).isInstanceOf(Glm4jException.class)
                .hasMessageContaining("undefined rule 'foo'");
        assertThatThrownBy(() -> Grammar.parse("item ::= \"a\"\n")).hasMessageContaining("no 'root' rule");
        assertThatThrownBy(() -> Grammar.parse("root ::= \"a\nx ::= \"b\"")).hasMessageContaining("line 2");
        assertThatThrownBy(() -> Grammar.parse("root = \"a\"")).hasMessageContaining("line 1, column 6: expected '::='");
        assertThatThrownBy(() -> Grammar.parse("root ::= [a-")).hasMessageContaining("unterminated character class");
        assertThatThrownBy(() -> Grammar.parse("root ::= \"a\"{3,2}")).hasMessageContaining("max < min");
        assertThatThrownBy(() -> Grammar.parse("root ::= \"\\q\"")).hasMessageContaining("unknown escape");
        assertThatThrownBy(() -> Grammar.parse("root ::= (\"a\"")).hasMessageContaining("expected ')'");
        assertThatThrownBy(() -> CompiledGrammar.parse("root ::= x \"a\"\nx ::= \"b\"? root\n")).hasMessageContaining("left-recursive");
    }

    /**
     * Random regular grammars written both as GBNF and as java.util.regex patterns: the two
     * must agree on random strings (the regex engine is the outside reference).
     */
    @Test
    void agreesWithJavaRegexOnRandomRegularGrammars() {
        Random random = new Random(42);
        String alphabet = "abcé😀";
        for (int g = 0; g < 300; g++) {
            String[] pair = randomExpr(random, 3);
            CompiledGrammar grammar = CompiledGrammar.parse("root ::= " + pair[0] + "\n");
            Pattern regex = Pattern.compile(pair[1]);
            for (int t = 0; t < 60; t++) {
                StringBuilder s = new StringBuilder();
                int len = random.nextInt(7);
                int[] cps = alphabet.codePoints().toArray();
                for (int i = 0; i < len; i++) s.appendCodePoint(cps[random.nextInt(cps.length)]);
                String text = s.toString();
                assertThat(grammar.matches(text)).as("%s vs /%s/ on '%s'", pair[0], pair[1], text)
                        .isEqualTo(regex.matcher(text).matches());
            }
        }
    }

    /** {GBNF, regex} for a random expression over the alphabet a b c é 😀. */
    private static String[] randomExpr(Random r, int depth) {
        int kind = depth == 0 ? r.nextInt(3) : r.nextInt(7);
        return switch (kind) {
            case 0 -> {
                String lit = List.of("a", "b", "é", "😀", "ab", "").get(r.nextInt(6));
                yield new String[] {"\"" + lit + "\"", Pattern.quote(lit)};
            }
            case 1 -> List.of(new String[] {"[a-c]", "[a-c]"}, new String[] {"[^a]", "[^a]"},
                    new String[] {"[^a-cé]", "[^a-cé]"}, new String[] {"[😀b]", "(?:😀|b)"}).get(r.nextInt(4));
            case 2 -> new String[] {".", "(?s:.)"};
            case 3, 4 -> {
                String[] a = randomExpr(r, depth - 1), b = randomExpr(r, depth - 1);
                yield kind == 3 ? new String[] {"(" + a[0] + " " + b[0] + ")", "(?:" + a[1] + b[1] + ")"}
                        : new String[] {"(" + a[0] + " | " + b[0] + ")", "(?:" + a[1] + "|" + b[1] + ")"};
            }
            default -> {
                String[] a = randomExpr(r, depth - 1);
                String op = List.of("*", "+", "?", "{2}", "{1,3}", "{2,}").get(r.nextInt(6));
                yield new String[] {"(" + a[0] + ")" + op, "(?:" + a[1] + ")" + op};
            }
        };
    }
}
