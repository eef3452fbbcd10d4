package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.model.synth.DemoModel;
import io.glm4j.tensor.WorkerPool;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Without -m the commands run the demo model, written once into the cache directory. */
class DemoModelTest {
    @Test
    void generateWithoutAModelUsesTheDemoModelAndSaysSo() throws Exception {
        CliRunner first = CliRunner.run("generate", "-p", "[gMASK]<sop>Hello", "-n", "8", "--seed", "1");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).contains("demo model").contains("RANDOM").contains("-m /path/to/GLM-4.5-Air");
        assertThat(Files.list(DemoModel.cacheDirectory()).map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("glm4j-demo"));
        CliRunner second = CliRunner.run("generate", "-p", "[gMASK]<sop>Hello", "-n", "8", "--seed", "1");
        assertThat(second.out()).isEqualTo(first.out());
        CliRunner info = CliRunner.run("info", "-m", DemoModel.path(WorkerPool.shared()).toString());
        assertThat(info.out()).contains("architecture:  glm4moe").contains("(+1 NextN)");
    }
}
