package io.glm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.repack.Repack;
import io.glm4j.repack.RowGroupFile;
import io.glm4j.tensor.RowGroups;
import io.glm4j.tensor.Tensor;
import io.glm4j.tensor.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What opening a model reads into memory up front: the whole file, or with repacking the groups instead of the rows they replace. */
class LoadedModelTest {
    @TempDir
    Path cache;

    @Test
    void preloadReadsTheWholeModelFile() throws IOException {
        Path model = Fixtures.model("Q4_0");
        try (LoadedModel loaded = LoadedModel.open(model, WorkerPool.shared())) {
            List<Long> reported = new ArrayList<>();
            loaded.preload(reported::add);
            assertThat(loaded.preloadBytes()).isEqualTo(Files.size(model));
            assertThat(reported).isSorted().last().isEqualTo(loaded.preloadBytes());
        }
    }

    @Test
    void aRepackedModelPreloadsItsGroupsInsteadOfTheRowsTheyReplace() throws IOException {
        Path model = Fixtures.model("Q4_0");
        long storedRowsReplaced = 0, otherTensors = 0, groupBytes;
        try (GgufFile file = GgufFile.open(model); RowGroupFile groups = RowGroupFile.open(file, Repack.quietly(cache))) {
            Assumptions.assumeTrue(RowGroups.supports(file.tensor("blk.0.attn_q.weight")), "row groups need 256-bit vectors");
            for (Tensor t : file.tensors().values()) {
                if (groups.attach(t).groups() != null) storedRowsReplaced += t.data().byteSize();
                else otherTensors += t.data().byteSize();
            }
            groupBytes = groups.byteSize();
        }
        assertThat(storedRowsReplaced).isGreaterThan(Files.size(model) / 2);

        try (LoadedModel loaded = LoadedModel.open(model, WorkerPool.shared(), Repack.quietly(cache))) {
            List<Long> reported = new ArrayList<>();
            loaded.preload(reported::add);

            assertThat(loaded.preloadBytes()).isEqualTo(otherTensors + groupBytes).isLessThan(Files.size(model) + groupBytes - storedRowsReplaced / 2);
            assertThat(reported).isSorted().last().isEqualTo(loaded.preloadBytes());
        }
    }
}
