package io.glm4j.tokenizer;

import io.glm4j.Glm4jException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The merges of a BPE vocabulary as an open-addressing hash from a pair of token ids to its
 * rank (position in the merges list; lower merges first) and the id of the merged token.
 */
final class MergeTable {
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int[] mergedIds;
    private final int mask;

    private MergeTable(int capacityHint) {
        int capacity = Integer.highestOneBit(Math.max(4, capacityHint) * 2 - 1) << 1;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        ranks = new int[capacity];
        mergedIds = new int[capacity];
        mask = capacity - 1;
    }

    /** The table of merges given as (left, right) token strings in rank order. */
    static MergeTable fromPairs(List<String[]> pairs, Map<String, Integer> ids) {
        MergeTable table = new MergeTable(pairs.size());
        for (int rank = 0; rank < pairs.size(); rank++) {
            String left = pairs.get(rank)[0];
            String right = pairs.get(rank)[1];
            table.put(idOf(ids, left, left, right), idOf(ids, right, left, right), rank,
                    idOf(ids, left + right, left, right));
        }
        return table;
    }

    private static int idOf(Map<String, Integer> ids, String token, String left, String right) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new Glm4jException("merge '" + left + " " + right + "' needs '" + token + "', which is not in the vocabulary");
        }
        return id;
    }

    /** Adds a merge unless the pair is already there (the first, lowest-ranked one wins). */
    void put(int left, int right, int rank, int mergedId) {
        long key = key(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        ranks[slot] = rank;
        mergedIds[slot] = mergedId;
    }

    /** The slot of the pair, or -1; read {@link #rank} and {@link #mergedId} from it. */
    int find(int left, int right) {
        if (left < 0 || right < 0) {
            return -1;
        }
        long key = key(left, right);
        for (int slot = slot(key); keys[slot] != EMPTY; slot = (slot + 1) & mask) {
            if (keys[slot] == key) {
                return slot;
            }
        }
        return -1;
    }

    int rank(int slot) {
        return ranks[slot];
    }

    int mergedId(int slot) {
        return mergedIds[slot];
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & mask;
    }
}
