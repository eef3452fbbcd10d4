package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.repack.Repack;
import io.glm4j.repack.RowGroupFile;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up's samples on the repacked Q4_K_M fixture: what it multiplies, and that it leaves results alone. */
class KernelWarmUpTest {
    @TempDir
    static Path cache;
    static GgufFile file;
    static RowGroupFile groups;
    static List<Tensor> matrices;

    @BeforeAll
    static void load() {
        file = GgufFile.open(Fixtures.model("Q4_K_M"));
        groups = RowGroupFile.open(file, Repack.quietly(cache));
        matrices = Glm4MoeModel.load(file, groups::attach, WorkerPool.shared()).weights().matrices();
    }

    @AfterAll
    static void close() {
        groups.close();
        file.close();
    }

    @Test
    void samplesOneMatrixOfEachKindByItsFirstRows() {
        List<Tensor> samples = KernelWarmUp.samples(matrices);
        Set<String> kinds = new HashSet<>();
        for (Tensor w : matrices) kinds.add(w.type() + " " + w.cols() + " " + (w.groups() != null));
        assertThat(samples).hasSize(kinds.size()).hasSizeGreaterThan(3); // Q4_K_M mixes types: Q4_K, Q6_K, Q5_0, Q8_0, F32
        for (Tensor s : samples) {
            assertThat(matrices).as(s.name()).anySatisfy(w -> {
                assertThat(s.rows()).isEqualTo(Math.min(w.rows(), 4 * RowGroupKernel.ROWS));
                assertThat(w.type()).isEqualTo(s.type());
                assertThat(w.cols()).isEqualTo(s.cols());
                assertThat(s.data().address()).isEqualTo(w.data().address());
                if (w.groups() != null) assertThat(s.groups().address()).isEqualTo(w.groups().address());
            });
        }
    }

    @Test
    void aMatrixsFirstRowsMultiplyAsTheyDoInTheWholeMatrix() {
        Tensor whole = matrices.stream().filter(w -> w.groups() != null && w.type() == GgmlType.Q4_K).findFirst().orElseThrow();
        int rows = 2 * RowGroupKernel.ROWS;
        Tensor first = whole.firstRows(rows);
        for (int tokens : new int[] {1, 5, 17}) {
            float[] x = gaussian(tokens * whole.cols());
            float[] all = new float[tokens * whole.rows()], part = new float[tokens * rows];
            MatMul.multiply(WorkerPool.shared(), whole, x, tokens, all);
            MatMul.multiply(WorkerPool.shared(), first, x, tokens, part);
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < rows; r++) assertThat(part[t * rows + r]).as("%d tokens, token %d row %d", tokens, t, r).isEqualTo(all[t * whole.rows() + r]);
            }
        }
    }

    @Test
    void runsEveryKindUntilCompiledAndLeavesProductsAsTheyWere() {
        Tensor w = matrices.getFirst();
        float[] x = gaussian(3 * w.cols()), before = new float[3 * w.rows()], after = new float[3 * w.rows()];
        MatMul.multiply(WorkerPool.shared(), w, x, 3, before);
        assertThat(KernelWarmUp.run(WorkerPool.shared(), matrices)).isGreaterThanOrEqualTo(20);
        MatMul.multiply(WorkerPool.shared(), w, x, 3, after);
        assertThat(after).containsExactly(before);
    }

    private static float[] gaussian(int n) {
        Random random = new Random(n);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }
}
