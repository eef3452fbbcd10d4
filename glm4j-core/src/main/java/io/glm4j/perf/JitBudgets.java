package io.glm4j.perf;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The JIT settings glm4j's vector kernels need to compile the same way in every process.
 *
 * <p>C2 inlines a kernel's Vector API calls only while it may speculate on the receivers' classes,
 * and it stops speculating in a whole compilation once the uncommon traps recorded in the methods it
 * inlines add up to {@code PerMethodTrapLimit} (100), or once one of them has been recompiled more
 * than half of {@code PerMethodRecompilationCutoff} (400) times. The Vector API's shared methods
 * (every 256-bit short vector runs the same {@code ShortVector.lanewiseTemplate}) collect such
 * traps while kernels warm up, and a large kernel inlines some of them dozens of times: past the
 * limit its vector operations become virtual calls on boxed vectors, two to four times slower.
 * Whether that happens depended on the order of compilations, so one command ran at 7 or at 14
 * tokens/s (BENCHMARKS.md). With both budgets raised it does not happen.
 */
public final class JitBudgets {
    /** The options that raise both budgets (the {@code ./glm4j} launcher passes them). */
    public static final List<String> OPTIONS = List.of("-XX:PerMethodTrapLimit=100000", "-XX:PerMethodRecompilationCutoff=100000");

    private static final long RAISED = 100_000;

    private JitBudgets() {}

    /** Whether this JVM runs with budgets at least as high as {@link #OPTIONS}; false where they cannot be read. */
    public static boolean raised() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return raised(vm.getVMOption("PerMethodTrapLimit").getValue(), vm.getVMOption("PerMethodRecompilationCutoff").getValue());
        } catch (RuntimeException notHotSpot) {
            return false;
        }
    }

    /** Whether the two options' values, as the JVM prints them, are at least {@link #OPTIONS}'s. */
    static boolean raised(String trapLimit, String recompilationCutoff) {
        try {
            return Long.parseLong(trapLimit) >= RAISED && Long.parseLong(recompilationCutoff) >= RAISED;
        } catch (NumberFormatException unreadable) {
            return false;
        }
    }
}
