package io.glm4j.grammar;

import io.glm4j.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link TokenConstraint} from a grammar: a token is allowed when its bytes continue a match,
 * an end-of-generation token only where the output so far is a complete match. Constraints made
 * for the same grammar text and tokenizer share one set of parser tables and mask caches, so a
 * schema used by many requests is analysed once.
 */
public final class GrammarConstraint implements TokenConstraint {
    /** Grammars whose tables are kept for reuse (each holds up to ~16 MB of masks and ~20 MB of parse states). */
    private static final int SHARED = 8;
    private static final Map<Key, TokenMasks> SHARED_MASKS = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, TokenMasks> eldest) {
            return size() > SHARED;
        }
    });

    private record Key(String grammar, TokenTrie trie) {}

    private final TokenMasks masks;
    private final ParseState state;
    private final boolean ended;

    private GrammarConstraint(TokenMasks masks, ParseState state, boolean ended) {
        this.masks = masks;
        this.state = state;
        this.ended = ended;
    }

    /** The constraint at the start of {@code grammar}'s output. */
    public static GrammarConstraint of(CompiledGrammar grammar, TokenTrie trie) {
        return new GrammarConstraint(new TokenMasks(grammar, trie), grammar.start(), false);
    }

    /** As {@link #of(CompiledGrammar, TokenTrie)} for GBNF text, sharing tables with earlier constraints of the same text. */
    public static GrammarConstraint of(String gbnf, Tokenizer tokenizer) {
        TokenTrie trie = TokenTrie.of(tokenizer);
        Key key = new Key(gbnf, trie);
        TokenMasks masks = SHARED_MASKS.get(key);
        if (masks == null) {
            masks = new TokenMasks(CompiledGrammar.parse(gbnf), trie);
            SHARED_MASKS.put(key, masks);
        }
        return new GrammarConstraint(masks, masks.grammar.start(), false);
    }

    @Override
    public void allowedTokens(boolean[] mask, int remainingTokens) {
        if (ended) {
            Arrays.fill(mask, false);
            return;
        }
        masks.fill(state, mask, remainingTokens);
    }

    /** Fewest bytes that complete the output from here (0 when it can end now): a bound on the tokens, one byte each at worst. */
    @Override
    public int shortestCompletion() {
        return ended ? 0 : state.distance;
    }

    @Override
    public GrammarConstraint accept(int token) {
        if (ended) throw new IllegalArgumentException("the grammar's output has ended");
        if (masks.trie.isEndOfGeneration(token)) {
            if (!state.accepting) throw new IllegalArgumentException("token " + token + " ends generation where the grammar cannot end");
            return new GrammarConstraint(masks, state, true);
        }
        byte[] piece = masks.trie.piece(token);
        if (piece == null || piece.length == 0) throw new IllegalArgumentException("token " + token + " never matches a grammar");
        ParseState next = masks.grammar.advance(state, piece);
        if (next.isDead()) throw new IllegalArgumentException("token " + token + " does not continue the grammar");
        return new GrammarConstraint(masks, next, false);
    }

    @Override
    public boolean complete() {
        return ended || state.complete();
    }

    /** Whether the output so far is a complete match (an end-of-generation token may follow). */
    public boolean canEnd() {
        return ended || state.accepting;
    }
}
