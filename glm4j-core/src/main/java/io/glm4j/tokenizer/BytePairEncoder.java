package io.glm4j.tokenizer;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding of one pre-token: start from one symbol per byte and repeatedly merge the
 * adjacent pair with the lowest merge rank (leftmost first on ties) until no pair merges. Symbols
 * live in a linked list and candidate pairs in a binary heap, so a word of n bytes costs
 * O(n log n) however long it is; results for short words are cached. Thread-safe.
 */
final class BytePairEncoder {
    private static final int DEAD = Integer.MIN_VALUE;
    private static final int MAX_CACHED_LENGTH = 64;
    private static final int MAX_CACHE_ENTRIES = 200_000;

    private final Map<String, Integer> vocabulary;
    private final int[] byteIds = new int[256];
    private final MergeTable merges;
    private final boolean ignoreMerges;
    private final int unknownId;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocabulary   byte-level spelling → id of every BPE token
     * @param merges       the merge table over ids of that vocabulary
     * @param ignoreMerges emit a pre-token that is itself a vocabulary entry directly (tiktoken style)
     * @param unknownId    id for a byte with no token, or -1 to drop such bytes
     */
    BytePairEncoder(Map<String, Integer> vocabulary, MergeTable merges, boolean ignoreMerges, int unknownId) {
        this.vocabulary = vocabulary;
        this.merges = merges;
        this.ignoreMerges = ignoreMerges;
        this.unknownId = unknownId;
        for (int b = 0; b < 256; b++) {
            byteIds[b] = vocabulary.getOrDefault(String.valueOf(ByteLevel.charOf(b)), -1);
        }
    }

    /** Appends the ids of the pre-token {@code utf8} to {@code out}. */
    void encode(byte[] utf8, IdSink out) {
        String spelled = ByteLevel.encode(utf8, 0, utf8.length);
        int[] cached = cache.get(spelled);
        if (cached == null) {
            cached = encodeUncached(utf8, spelled);
            if (spelled.length() <= MAX_CACHED_LENGTH && cache.size() < MAX_CACHE_ENTRIES) {
                cache.put(spelled, cached);
            }
        }
        out.addAll(cached);
    }

    private int[] encodeUncached(byte[] utf8, String spelled) {
        if (ignoreMerges) {
            Integer whole = vocabulary.get(spelled);
            if (whole != null) {
                return new int[] {whole};
            }
        }
        int n = utf8.length;
        if (n == 0) {
            return new int[0];
        }
        int[] ids = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = byteIds[utf8[i] & 0xFF];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PairHeap heap = new PairHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            offer(heap, ids, next, i);
        }
        while (!heap.isEmpty()) {
            long top = heap.poll();
            int pos = (int) top;
            int right = next[pos];
            if (right < 0) {
                continue;
            }
            int slot = merges.find(ids[pos], ids[right]);
            if (slot < 0 || merges.rank(slot) != (int) (top >>> 32)) {
                continue; // stale: one side was merged away since this pair was queued
            }
            ids[pos] = merges.mergedId(slot);
            ids[right] = DEAD;
            next[pos] = next[right];
            if (next[pos] >= 0) {
                prev[next[pos]] = pos;
                offer(heap, ids, next, pos);
            }
            if (prev[pos] >= 0) {
                offer(heap, ids, next, prev[pos]);
            }
        }
        int[] result = new int[n];
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            int id = ids[i] >= 0 ? ids[i] : unknownId;
            if (id >= 0) {
                result[count++] = id;
            }
        }
        return Arrays.copyOf(result, count);
    }

    private void offer(PairHeap heap, int[] ids, int[] next, int pos) {
        int slot = merges.find(ids[pos], ids[next[pos]]);
        if (slot >= 0) {
            heap.add(((long) merges.rank(slot) << 32) | pos);
        }
    }

    /** A min-heap of (rank << 32 | position) candidates. */
    private static final class PairHeap {
        private long[] items;
        private int size;

        PairHeap(int capacity) {
            items = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void add(long item) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (items[parent] <= item) {
                    break;
                }
                items[i] = items[parent];
                i = parent;
            }
            items[i] = item;
        }

        long poll() {
            long top = items[0];
            long last = items[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && items[child + 1] < items[child]) {
                    child++;
                }
                if (items[child] >= last) {
                    break;
                }
                items[i] = items[child];
                i = child;
            }
            items[i] = last;
            return top;
        }
    }
}
