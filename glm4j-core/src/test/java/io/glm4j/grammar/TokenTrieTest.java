package io.glm4j.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenTrieTest {

    private static byte[][] vocabulary(String... tokens) {
        byte[][] pieces = new byte[tokens.length][];
        for (int i = 0; i < tokens.length; i++) pieces[i] = tokens[i] == null ? null : tokens[i].getBytes(StandardCharsets.UTF_8);
        return pieces;
    }

    @Test
    void masksAllowTokensThatContinueTheGrammarAndEndTokensWhereItCanEnd() {
        //                                   0    1      2      3    4    5     6    7 (end)
        TokenTrie trie = new TokenTrie(vocabulary("{", "{\"", "a\"", ":", "1", "12", "}", "</s>"), Set.of(7));
        GrammarConstraint c = GrammarConstraint.of(CompiledGrammar.parse("root ::= \"{\\\"a\\\":\" [0-9]+ \"}\""), trie);
        assertThat(allowed(c)).containsExactly(0, 1);
        c = c.accept(1);
        assertThat(allowed(c)).containsExactly(2);
        c = c.accept(2).accept(3);
        assertThat(allowed(c)).containsExactly(4, 5);
        c = c.accept(5);
        assertThat(allowed(c)).containsExactly(4, 5, 6);
        c = c.accept(6);
        assertThat(allowed(c)).containsExactly(7);
        assertThat(c.complete()).isTrue();
        assertThatThrownBy(() -> GrammarConstraint.of(CompiledGrammar.parse("root ::= \"x\""), trie).accept(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nearTheTokenLimitOnlyTokensThatStillLetTheOutputFinishAreAllowed() {
        //                                   0    1    2    3      4    5 (end)
        TokenTrie trie = new TokenTrie(vocabulary("{", "a", "b", "}", "ab}", "</s>"), Set.of(5));
        GrammarConstraint open = GrammarConstraint.of(CompiledGrammar.parse("root ::= \"{\" [a-z]* \"}\""), trie).accept(0);
        assertThat(open.shortestCompletion()).isEqualTo(1);
        assertThat(allowed(open, TokenConstraint.UNLIMITED)).containsExactly(1, 2, 3, 4);
        assertThat(allowed(open, 3)).containsExactly(1, 2, 3, 4);
        assertThat(allowed(open, 1)).as("only tokens that finish").containsExactly(3, 4);
        GrammarConstraint list = GrammarConstraint.of(CompiledGrammar.parse("root ::= \"{\" \"a\"+ \"}\" \"b\"*"), trie).accept(0).accept(1);
        assertThat(allowed(list, 2)).as("'}' leaves an output that can end").containsExactly(3);
    }

    @Test
    void tokensMayEndInsideAMultiByteCharacter() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // E2 82 AC
        byte[][] pieces = {{euro[0]}, {euro[1], euro[2]}, "a".getBytes(StandardCharsets.UTF_8), {euro[0], euro[1]}};
        TokenTrie trie = new TokenTrie(pieces, Set.of());
        GrammarConstraint c = GrammarConstraint.of(CompiledGrammar.parse("root ::= [€-€]+"), trie);
        assertThat(allowed(c)).containsExactly(0, 3);
        assertThat(allowed(c.accept(0))).containsExactly(1);
        assertThat(allowed(c.accept(0).accept(1))).containsExactly(0, 3);
        assertThat(c.accept(3).canEnd()).isFalse();
        assertThat(c.accept(0).accept(1).canEnd()).isTrue();
    }

    /** The trie walk must allow exactly the tokens a token-by-token check allows. */
    @Test
    void trieWalkAgreesWithCheckingEveryTokenOnItsOwn() {
        Random random = new Random(7);
        String alphabet = "{}[]\":,0123456789abc \\né";
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            StringBuilder t = new StringBuilder();
            int len = 1 + random.nextInt(5);
            for (int k = 0; k < len; k++) t.append(alphabet.charAt(random.nextInt(alphabet.length())));
            tokens.add(t.toString());
        }
        tokens.add(null);
        tokens.add("<eos>");
        int eos = tokens.size() - 1;
        TokenTrie trie = new TokenTrie(vocabulary(tokens.toArray(String[]::new)), Set.of(eos));
        CompiledGrammar grammar = CompiledGrammar.parse("""
                root ::= "{" ws "\\"k\\":" ws ("[" ws (num ("," ws num)*)? "]" | str) ws "}"
                num ::= "-"? [0-9]+
                str ::= "\\"" ([^"\\\\] | "\\\\" ["\\\\n])* "\\""
                ws ::= [ \\n]*
                """);
        GrammarConstraint c = GrammarConstraint.of(grammar, trie);
        boolean[] mask = new boolean[tokens.size()];
        for (int step = 0; step < 400 && !c.complete(); step++) {
            c.allowedTokens(mask, TokenConstraint.UNLIMITED);
            List<Integer> allowed = new ArrayList<>();
            for (int id = 0; id < tokens.size(); id++) {
                boolean expected;
                if (id == eos) expected = c.canEnd();
                else if (tokens.get(id) == null) expected = false;
                else expected = !grammar.advance(stateOf(c), tokens.get(id).getBytes(StandardCharsets.UTF_8)).isDead();
                assertThat(mask[id]).as("token %d '%s' at step %d", id, tokens.get(id), step).isEqualTo(expected);
                if (expected && id != eos) allowed.add(id);
            }
            if (allowed.isEmpty()) break;
            c = c.accept(allowed.get(random.nextInt(allowed.size())));
        }
    }

    private static ParseState stateOf(GrammarConstraint c) {
        try {
            var f = GrammarConstraint.class.getDeclaredField("state");
            f.setAccessible(true);
            return (ParseState) f.get(c);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Integer> allowed(TokenConstraint c) {
        return allowed(c, TokenConstraint.UNLIMITED);
    }

    private static List<Integer> allowed(TokenConstraint c, int remaining) {
        boolean[] mask = new boolean[64];
        c.allowedTokens(mask, remaining);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < mask.length; i++) if (mask[i]) ids.add(i);
        return ids;
    }
}
