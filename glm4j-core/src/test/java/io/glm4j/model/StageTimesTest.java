package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.model.StageTimes.Stage;
import io.glm4j.tensor.WorkerPool;
import org.junit.jupiter.api.Test;

/** Timing a model's stages: every stage of a pass is counted, the results do not change, and detaching stops it. */
class StageTimesTest {

    @Test
    void aTimedPassCountsEveryStageAndGivesTheSameLogits() {
        try (GgufFile file = GgufFile.open(Fixtures.model("F32"))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            int[] prompt = {1, 2, 3, 4, 5, 6};
            float[] untimed = model.forward(Batch.of(0, 0, prompt, false), model.newCache(16, 1)).logits();

            StageTimes times = new StageTimes();
            model.timeStagesInto(times);
            long start = System.nanoTime();
            float[] timed = model.forward(Batch.of(0, 0, prompt, false), model.newCache(16, 1)).logits();
            long wall = System.nanoTime() - start;
            model.timeStagesInto(null);

            assertThat(timed).containsExactly(untimed);
            // the fixture has a leading dense layer, MoE layers after it, and a head
            for (Stage stage : Stage.values()) assertThat(times.nanos(stage)).as(stage.name()).isPositive();
            assertThat(times.total()).isEqualTo(times.nanos(Stage.ATTENTION) + times.nanos(Stage.DENSE_FFN)
                    + times.nanos(Stage.MOE_FFN) + times.nanos(Stage.HEAD)).isLessThanOrEqualTo(wall);

            long before = times.total();
            model.forward(Batch.of(0, 0, prompt, false), model.newCache(16, 1));
            assertThat(times.total()).as("no longer attached").isEqualTo(before);
        }
    }
}
