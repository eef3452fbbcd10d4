package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the user reads when a command fails: one line that says what to change, never a stack trace. */
class MainTest {

    @Test
    void runningOutOfHeapOrOfKvCacheMemoryNamesTheLimitToRaise() {
        assertThat(Main.describe(new OutOfMemoryError("Java heap space")))
                .startsWith("out of memory: Java heap space").contains("--ctx").contains("-Xmx");
        assertThat(Main.describe(new OutOfMemoryError("Cannot reserve 67108864 bytes of direct buffer memory (allocated: 469762048, limit: 477626368)")))
                .contains("--ctx or --parallel").contains("-XX:MaxDirectMemorySize").doesNotContain("-Xmx");
    }
}
