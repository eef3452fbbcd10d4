package io.glm4j.grammar;

import io.glm4j.tokenizer.TokenType;
import io.glm4j.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The vocabulary's token byte strings as a trie, stored flat in pre-order so that a walk is one
 * pass over arrays: node {@code i} adds byte {@code label[i]} at depth {@code depth[i]}, its
 * subtree ends before {@code skip[i]}, and the tokens spelled by the path to it are
 * {@code tokens[tokenStart[i] .. tokenStart[i+1])}. Control, unused and end-of-generation tokens
 * are not in the trie: they never stand for text a grammar matches (end-of-generation tokens are
 * allowed separately, where the grammar can end).
 */
public final class TokenTrie {
    private static final Map<Tokenizer, TokenTrie> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    final byte[] label;
    final int[] depth;
    final int[] skip;
    final int[] tokenStart;
    final int[] tokens;
    final int[] endOfGeneration;
    final int maxDepth;
    private final byte[][] pieces;
    private final int vocabularySize;

    /**
     * @param pieces          each id's bytes; null for ids that never match text
     * @param endOfGeneration ids that end generation
     */
    public TokenTrie(byte[][] pieces, Set<Integer> endOfGeneration) {
        this.vocabularySize = pieces.length;
        this.pieces = pieces.clone();
        for (int id : endOfGeneration) this.pieces[id] = null;
        this.endOfGeneration = endOfGeneration.stream().mapToInt(Integer::intValue).sorted().toArray();
        Integer[] order = new Integer[pieces.length];
        int n = 0;
        for (int id = 0; id < pieces.length; id++) if (this.pieces[id] != null && this.pieces[id].length > 0) order[n++] = id;
        Integer[] ids = Arrays.copyOf(order, n);
        Arrays.sort(ids, (a, b) -> Arrays.compareUnsigned(this.pieces[a], this.pieces[b]));

        List<Byte> labels = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        int[] tokenNode = new int[n];
        int[] path = new int[1];
        byte[] previous = new byte[0];
        int pathLength = 0;
        int maxLen = 0;
        List<int[]> closedAt = new ArrayList<>(); // (node, skip)
        for (int k = 0; k < n; k++) {
            byte[] p = this.pieces[ids[k]];
            maxLen = Math.max(maxLen, p.length);
            int common = Arrays.mismatch(previous, p);
            if (common < 0) common = p.length; // identical bytes
            common = Math.min(common, Math.min(pathLength, p.length));
            for (; pathLength > common; pathLength--) closedAt.add(new int[] {path[pathLength - 1], labels.size()});
            if (path.length < p.length) path = Arrays.copyOf(path, Math.max(p.length, path.length * 2));
            for (int d = pathLength; d < p.length; d++) {
                path[d] = labels.size();
                labels.add(p[d]);
                depths.add(d + 1);
            }
            pathLength = p.length;
            tokenNode[k] = path[p.length - 1];
            previous = p;
        }
        for (; pathLength > 0; pathLength--) closedAt.add(new int[] {path[pathLength - 1], labels.size()});

        int nodes = labels.size();
        this.label = new byte[nodes];
        this.depth = new int[nodes];
        this.skip = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            label[i] = labels.get(i);
            depth[i] = depths.get(i);
        }
        for (int[] c : closedAt) skip[c[0]] = c[1];
        this.tokenStart = new int[nodes + 1];
        for (int k = 0; k < n; k++) tokenStart[tokenNode[k] + 1]++;
        for (int i = 0; i < nodes; i++) tokenStart[i + 1] += tokenStart[i];
        this.tokens = new int[n];
        int[] fill = Arrays.copyOf(tokenStart, nodes);
        for (int k = 0; k < n; k++) tokens[fill[tokenNode[k]]++] = ids[k];
        this.maxDepth = maxLen;
    }

    /** The trie of a tokenizer's text tokens (NORMAL, BYTE and USER_DEFINED), built once per tokenizer. */
    public static TokenTrie of(Tokenizer tokenizer) {
        return CACHE.computeIfAbsent(tokenizer, t -> {
            byte[][] pieces = new byte[t.vocabularySize()][];
            for (int id = 0; id < pieces.length; id++) {
                TokenType type = t.tokenType(id);
                if (type != TokenType.CONTROL && type != TokenType.UNUSED) pieces[id] = t.tokenBytes(id);
            }
            return new TokenTrie(pieces, t.specialTokens().endOfGeneration());
        });
    }

    public int vocabularySize() {
        return vocabularySize;
    }

    /** The token's bytes, or null if it never matches text (control, unused, end of generation). */
    byte[] piece(int id) {
        return pieces[id];
    }

    boolean isEndOfGeneration(int id) {
        return Arrays.binarySearch(endOfGeneration, id) >= 0;
    }
}
