package io.glm4j.repack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.glm4j.Glm4jException;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.RowGroups;
import io.glm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache file of row groups: built on first use, mapped as it is on the next start, rebuilt
 * when the model file changes or the cache file is damaged, and a clear error when it cannot be
 * written. (That the groups compute the right products is checked by the model's llama.cpp
 * agreement test with repacking.)
 */
class RowGroupFileTest {
    @TempDir
    Path dir;

    @Test
    void buildsOnceThenMapsTheSameFile() throws IOException {
        Path model = copyOfFixture("Q4_0");
        List<String> log = new ArrayList<>();
        long[] total = new long[1], done = new long[1];
        Repack repack = new Repack(dir.resolve("cache"), log::add, bytes -> {
            total[0] = bytes;
            return progress -> {
                assertThat(progress).as("progress only grows").isGreaterThanOrEqualTo(done[0]);
                done[0] = progress;
            };
        });
        try (GgufFile file = GgufFile.open(model); RowGroupFile groups = RowGroupFile.open(file, repack)) {
            assertThat(log).hasSize(2).first().asString().startsWith("repacking");
            assertThat(done[0]).as("progress ends at the total").isEqualTo(total[0]).isEqualTo(groups.byteSize());
            Tensor q = groups.attach(file.tensor("blk.0.attn_q.weight"));
            assertThat(q.groups()).isNotNull();
            assertThat(q.groups().byteSize()).isEqualTo(RowGroups.bytes(q));
            assertThat(groups.attach(file.tensor("token_embd.weight")).groups()).as("embeddings are looked up, not multiplied").isNull();
            assertThat(groups.attach(file.tensor("output_norm.weight")).groups()).isNull();
        }
        log.clear();
        try (GgufFile file = GgufFile.open(model); RowGroupFile groups = RowGroupFile.open(file, repack)) {
            assertThat(log).as("second start").isEmpty();
            assertThat(groups.attach(file.tensor("blk.0.attn_q.weight")).groups()).isNotNull();
        }
        try (var files = Files.list(dir.resolve("cache"))) {
            assertThat(files.toList()).as("no temporary file left").hasSize(1);
        }
    }

    @Test
    void aChangedModelADamagedCacheOrAnotherLayoutIsRebuilt() throws IOException {
        Path model = copyOfFixture("Q4_0");
        Path cacheFile;
        try (GgufFile file = GgufFile.open(model); RowGroupFile groups = RowGroupFile.open(file, Repack.quietly(dir))) {
            cacheFile = groups.path();
        }
        Files.setLastModifiedTime(model, FileTime.fromMillis(Files.getLastModifiedTime(model).toMillis() + 60_000));
        assertThat(reopenLog(model)).as("model modified").first().asString().startsWith("repacking");

        byte[] bytes = Files.readAllBytes(cacheFile);
        Files.write(cacheFile, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThat(reopenLog(model)).as("cache truncated").first().asString().startsWith("repacking");
        assertThat(Files.size(cacheFile)).isEqualTo(bytes.length);

        bytes = Files.readAllBytes(cacheFile);
        bytes[8]++; // the layout version, written by an older or newer glm4j
        Files.write(cacheFile, bytes);
        assertThat(reopenLog(model)).as("another layout version").first().asString().startsWith("repacking");
        assertThat(reopenLog(model)).as("then reused").isEmpty();
    }

    @Test
    void aCacheDirectoryThatCannotBeWrittenIsAClearError() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        try (GgufFile file = GgufFile.open(Fixtures.model("Q4_0"))) {
            assertThatThrownBy(() -> RowGroupFile.open(file, Repack.quietly(notADirectory)))
                    .isInstanceOf(Glm4jException.class)
                    .hasMessageContaining("cannot write the row-group file")
                    .hasMessageContaining("--repack-dir");
        }
    }

    private List<String> reopenLog(Path model) {
        List<String> log = new ArrayList<>();
        try (GgufFile file = GgufFile.open(model); RowGroupFile groups = RowGroupFile.open(file, new Repack(dir, log::add, bytes -> done -> {}))) {
            assertThat(groups.attach(file.tensor("blk.0.attn_q.weight")).groups()).isNotNull();
        }
        return log;
    }

    private Path copyOfFixture(String type) throws IOException {
        return Files.copy(Fixtures.model(type), dir.resolve("model-" + type + ".gguf"), StandardCopyOption.REPLACE_EXISTING);
    }
}
