package io.glm4j.grammar;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The allowed-token set of each parse state of one grammar over one vocabulary, computed by
 * walking the token trie alongside the parser: a subtree is skipped as soon as its prefix cannot
 * follow, and every byte step is a cached lookup after the first time. Results are kept as bit
 * sets in a bounded least-recently-used cache, since generation keeps returning to the same
 * states (inside a string, between list items).
 */
final class TokenMasks {
    private static final long CACHE_BYTES = 32L << 20;

    final CompiledGrammar grammar;
    final TokenTrie trie;
    private final Map<ParseState, long[]> cache;

    TokenMasks(CompiledGrammar grammar, TokenTrie trie) {
        this.grammar = grammar;
        this.trie = trie;
        int entries = (int) Math.max(64, Math.min(100_000, CACHE_BYTES / Math.max(8, trie.vocabularySize() / 8)));
        this.cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ParseState, long[]> eldest) {
                return size() > entries;
            }
        };
    }

    /** Sets {@code mask[id]} for each token allowed in parse state {@code s}. */
    void fill(ParseState s, boolean[] mask) {
        long[] bits = bits(s);
        int n = Math.min(mask.length, trie.vocabularySize());
        for (int id = 0; id < n; id++) mask[id] = (bits[id >>> 6] & 1L << id) != 0;
        for (int id = n; id < mask.length; id++) mask[id] = false;
    }

    long[] bits(ParseState s) {
        synchronized (grammar) {
            long[] bits = cache.get(s);
            if (bits == null) {
                bits = walk(s);
                cache.put(s, bits);
            }
            return bits;
        }
    }

    private long[] walk(ParseState s) {
        long[] bits = new long[(trie.vocabularySize() + 63) >>> 6];
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
            for (int k = tokenStart[i]; k < tokenStart[i + 1]; k++) bits[tokens[k] >>> 6] |= 1L << tokens[k];
            i++;
        }
        if (s.accepting) for (int id : trie.endOfGeneration) bits[id >>> 6] |= 1L << id;
        return bits;
    }
}
