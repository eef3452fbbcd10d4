package io.glm4j.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JitBudgetsTest {
    @Test
    void budgetsCountAsRaisedOnlyWhenBothReachTheLaunchersValues() {
        assertThat(JitBudgets.raised("100000", "100000")).isTrue();
        assertThat(JitBudgets.raised("200000", "1000000")).isTrue();
        assertThat(JitBudgets.raised("100", "100000")).isFalse(); // HotSpot's default trap limit
        assertThat(JitBudgets.raised("100000", "400")).isFalse(); // and recompilation cutoff
        assertThat(JitBudgets.raised("", "x")).isFalse();
    }

    @Test
    void theLauncherPassesTheOptions() throws IOException {
        String launcher = Files.readString(Path.of("glm4j")); // tests run from the repository root
        assertThat(launcher).contains(JitBudgets.OPTIONS);
    }

    @Test
    void thisJvmsBudgetsAreRead() {
        // surefire starts the test JVM without the options: HotSpot's defaults are not raised
        assertThat(JitBudgets.raised()).isFalse();
    }
}
