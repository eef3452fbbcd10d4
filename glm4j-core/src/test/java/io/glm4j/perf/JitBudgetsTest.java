package io.glm4j.perf;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JitBudgetsTest {
    @Test
    void aValueCountsOnlyWhenItIsANumberNoLowerThanRequired() {
        assertThat(JitBudgets.atLeast("100000", "100000")).isTrue();
        assertThat(JitBudgets.atLeast("1000000", "100000")).isTrue();
        assertThat(JitBudgets.atLeast("100", "100000")).isFalse(); // HotSpot's default trap limit
        assertThat(JitBudgets.atLeast("", "100000")).isFalse();
    }

    @Test
    void everyOptionIsOneThisJvmKnowsAndSurefireLeavesItAtItsDefault() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assertThat(JitBudgets.OPTIONS).extracting(JitBudgets::name).containsExactly("PerMethodTrapLimit", "PerMethodRecompilationCutoff");
        // getVMOption throws for a name HotSpot does not have
        assertThat(JitBudgets.OPTIONS).extracting(o -> vm.getVMOption(JitBudgets.name(o)).getValue()).containsExactly("100", "400");
        assertThat(JitBudgets.raised()).isFalse();
    }

    @Test
    void theLauncherPassesTheOptions() throws IOException {
        String launcher = Files.readString(Path.of("glm4j")); // tests run from the repository root
        assertThat(launcher).contains(JitBudgets.OPTIONS);
    }
}
