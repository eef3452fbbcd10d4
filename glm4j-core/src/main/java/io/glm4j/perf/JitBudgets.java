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
    /** The raised trap budget; a constant so that JMH's {@code @Fork} can pass it too. */
    public static final String TRAP_LIMIT = "-XX:PerMethodTrapLimit=100000";
    /** The raised recompilation budget. */
    public static final String RECOMPILATION_CUTOFF = "-XX:PerMethodRecompilationCutoff=100000";
    /** The options that raise both budgets (the {@code ./glm4j} launcher passes them). */
    public static final List<String> OPTIONS = List.of(TRAP_LIMIT, RECOMPILATION_CUTOFF);

    private JitBudgets() {}

    /** Whether this JVM runs with each of {@link #OPTIONS} at least as high; false where they cannot be read. */
    public static boolean raised() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            for (String option : OPTIONS) {
                if (!atLeast(vm.getVMOption(name(option)).getValue(), option.substring(option.indexOf('=') + 1))) return false;
            }
            return true;
        } catch (RuntimeException notHotSpot) {
            return false;
        }
    }

    /** The HotSpot option an {@link #OPTIONS} entry sets ({@code -XX:Name=value}). */
    static String name(String option) {
        return option.substring("-XX:".length(), option.indexOf('='));
    }

    /** Whether an option's value, as the JVM prints it, is a number no lower than {@code required}. */
    static boolean atLeast(String value, String required) {
        try {
            return Long.parseLong(value) >= Long.parseLong(required);
        } catch (NumberFormatException unreadable) {
            return false;
        }
    }
}
