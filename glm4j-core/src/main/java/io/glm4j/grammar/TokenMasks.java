package io.glm4j.grammar;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The allowed-token set of each parse state of one grammar over one vocabulary, computed by
 * walking the token trie alongside the parser: a subtree is skipped as soon as its prefix cannot
 * follow, and every byte step is a cached lookup after the first time. Results are kept as bit
 * sets in a bounded least-recently-used cache, since generation keeps returning to the same
 * states (inside a string, between list items).
 *
 * <p>Near the token limit the set shrinks to tokens after which the shortest completion (plus an
 * end-of-generation token) still fits, so a structured output is not cut off where a complete one
 * was possible. (Every byte is a token of its own in byte-level vocabularies, so a completion of
 * n bytes takes at most n tokens.) Such budgeted sets depend on the budget and are not cached;
 * they are needed only when the worst token of the plain set would not leave enough room.
 */
final class TokenMasks {
    private static final long CACHE_BYTES = 16L << 20;

    /** @param worst largest shortest-completion length after any allowed text token (-1: all complete the output) */
    private record Mask(long[] bits, int worst) {}

    final CompiledGrammar grammar;
    final TokenTrie trie;
    private final Map<ParseState, Mask> cache;

    TokenMasks(CompiledGrammar grammar, TokenTrie trie) {
        this.grammar = grammar;
        this.trie = trie;
        int entries = (int) Math.max(64, Math.min(100_000, CACHE_BYTES / Math.max(8, trie.vocabularySize() / 8)));
        this.cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ParseState, Mask> eldest) {
                return size() > entries;
            }
        };
    }

    /** Sets {@code mask[id]} for each token allowed in parse state {@code s} with {@code remaining} tokens left, this one included. */
    void fill(ParseState s, boolean[] mask, int remaining) {
        long[] bits;
        synchronized (grammar) {
            Mask m = cache.get(s);
            if (m == null) {
                m = walk(s, Integer.MAX_VALUE);
                cache.put(s, m);
            }
            bits = m.bits;
            // After this token, remaining - 1 tokens must hold the completion and an end token.
            if (m.worst > remaining - 2 && remaining != TokenConstraint.UNLIMITED) {
                Mask budgeted = walk(s, remaining - 2);
                if (!isEmpty(budgeted.bits)) bits = budgeted.bits;
            }
        }
        int n = Math.min(mask.length, trie.vocabularySize());
        for (int id = 0; id < n; id++) mask[id] = (bits[id >>> 6] & 1L << id) != 0;
        for (int id = n; id < mask.length; id++) mask[id] = false;
    }

    /** Tokens whose text continues {@code s} and leaves a completion of at most {@code budget} bytes (or completes it). */
    private Mask walk(ParseState s, int budget) {
        long[] bits = new long[(trie.vocabularySize() + 63) >>> 6];
        int worst = -1;
        ParseState dead = grammar.dead();
        ParseState[] at = new ParseState[trie.maxDepth + 1];
        at[0] = s;
        byte[] label = trie.label;
        int[] depth = trie.depth, skip = trie.skip, tokenStart = trie.tokenStart, tokens = trie.tokens;
        int nodes = label.length;
        for (int i = 0; i < nodes; ) {
            ParseState parent = at[depth[i] - 1];
            int b = label[i] & 0xFF;
            ParseState child = parent.next[b];
            if (child == null) child = grammar.step(parent, b);
            if (child == dead) {
                i = skip[i];
                continue;
            }
            at[depth[i]] = child;
            if (tokenStart[i] < tokenStart[i + 1]) {
                int need = child.complete() ? -1 : child.distance;
                if (need <= budget) {
                    worst = Math.max(worst, need);
                    for (int k = tokenStart[i]; k < tokenStart[i + 1]; k++) bits[tokens[k] >>> 6] |= 1L << tokens[k];
                }
            }
            i++;
        }
        if (s.accepting) for (int id : trie.endOfGeneration) bits[id >>> 6] |= 1L << id;
        return new Mask(bits, worst);
    }

    private static boolean isEmpty(long[] bits) {
        for (long b : bits) if (b != 0) return false;
        return true;
    }
}
