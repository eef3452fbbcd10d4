package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.WorkerPool;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * A decode step allocates no activations: apart from the logits and final hidden state it hands
 * to the caller, it allocates a few small bookkeeping objects a layer, whatever the model's width.
 * Measured on this thread, which is where a step's buffers are taken (the workers allocate nothing).
 */
class DecodeAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void aDecodeStepAllocatesLittleBeyondItsOutput() {
        try (GgufFile file = GgufFile.open(Fixtures.model("F32"))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            Glm4MoeConfig c = model.config();
            KvCache cache = model.newCache(1024, 1);
            int position = 0;
            int token = 5;
            for (; position < 300; position++) token = step(model, cache, position, token); // warm up the JIT
            long before = THREADS.getCurrentThreadAllocatedBytes();
            int steps = 100;
            for (int s = 0; s < steps; s++, position++) token = step(model, cache, position, token);
            long perStep = (THREADS.getCurrentThreadAllocatedBytes() - before) / steps;

            // the logits and final hidden state handed out, plus bookkeeping (batch, plans, routing)
            // of under 4 KB a layer; activations (72 KB a step here before they were reused) are not allocated
            long output = 4L * (c.vocabSize() + c.hiddenSize());
            assertThat(perStep).as("bytes allocated per decode step").isLessThan(output + 4096L * c.blockCount());
        }
    }

    private static int step(Glm4MoeModel model, KvCache cache, int position, int token) {
        float[] logits = model.forward(Batch.of(0, position, new int[] {token}, true), cache).logits();
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
