package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.WorkerPool;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A decode step allocates no activations and, given a logits buffer to reuse, no vocabulary-sized
 * array: apart from the final hidden state it hands to the caller, it allocates a few small
 * bookkeeping objects a layer, whatever the model's width. Measured on this thread, which is
 * where a step's buffers are taken (the workers allocate nothing). Runs in a JVM of its own (the
 * {@code decode-allocation} execution), with the launcher's JIT budgets, as a serving process does.
 */
class DecodeAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** F32 and the K-quant mix (stored rows: the row kernels of Q4_K, Q5_0, Q6_K… on a machine without repacking). */
    @ParameterizedTest
    @ValueSource(strings = {"F32", "Q4_K_M"})
    void aDecodeStepAllocatesLittleBeyondItsOutput(String type) {
        try (GgufFile file = GgufFile.open(Fixtures.model(type))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            Glm4MoeConfig c = model.config();
            KvCache cache = model.newCache(1024, 1);
            float[] logits = new float[c.vocabSize()];
            // the final hidden state handed out, plus bookkeeping (batch, plans, routing) of under
            // 4 KB a layer; neither activations (72 KB a step here before they were reused) nor
            // logits (when the caller hands its buffer back) are allocated
            long bound = 4L * c.hiddenSize() + 4096L * c.blockCount();
            // steady state: until C2 has compiled the kernels, boxed vectors allocate hundreds of KB a step
            long perStep = Long.MAX_VALUE;
            for (int round = 0; round < 40 && perStep >= bound; round++) {
                cache.truncate(0, 0);
                int token = 5;
                long before = THREADS.getCurrentThreadAllocatedBytes();
                int steps = 100;
                for (int position = 0; position < steps; position++) token = step(model, cache, position, token, logits);
                perStep = Math.min(perStep, (THREADS.getCurrentThreadAllocatedBytes() - before) / steps);
            }
            assertThat(perStep).as("bytes allocated per decode step").isLessThan(bound);
        }
    }

    private static int step(Glm4MoeModel model, KvCache cache, int position, int token, float[] logits) {
        Glm4MoeModel.Output out = model.forward(Batch.of(0, position, new int[] {token}, true), cache, logits);
        assertThat(out.logits()).isSameAs(logits);
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
