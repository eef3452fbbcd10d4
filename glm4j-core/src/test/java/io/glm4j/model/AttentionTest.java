package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AttentionTest {

    @Test
    void aBatchIsCutIntoRunsOfFewTokensOfOneSequence() {
        // a prompt of 6 tokens of sequence 0, then decode steps of sequences 1 and 2, then 2 tokens of sequence 0
        int[] sequences = {0, 0, 0, 0, 0, 0, 1, 2, 0, 0};
        int n = sequences.length;
        Batch batch = new Batch(new int[n], new int[n], sequences, new boolean[n]);
        int[] starts = new int[n + 1];

        int chunks = Attention.cutIntoChunks(batch, starts);

        assertThat(GroupAttention.TOKENS).isEqualTo(4);
        assertThat(Arrays.copyOf(starts, chunks + 1)).containsExactly(0, 4, 6, 7, 8, 10);
    }
}
