package io.glm4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/** A one-line progress bar on stderr, redrawn in place when the shown percentage changes. */
final class ProgressBar implements LongConsumer {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean shown;
    private int shownPercent = -1;

    /** A bar for writing {@code file}, drawn only for files big enough to take a while (64 MiB). */
    static ProgressBar forWriting(PrintWriter err, Path file, long total) {
        return new ProgressBar(err, "writing " + file.getFileName(), total, total >= 64L << 20);
    }

    ProgressBar(PrintWriter err, String label, long total) {
        this(err, label, total, true);
    }

    private ProgressBar(PrintWriter err, String label, long total, boolean shown) {
        this.err = err;
        this.label = label;
        this.total = Math.max(1, total);
        this.shown = shown;
    }

    @Override
    public synchronized void accept(long done) {
        int percent = (int) Math.min(100, done * 100 / total);
        if (!shown || percent == shownPercent) return;
        shownPercent = percent;
        int filled = percent * WIDTH / 100;
        err.printf("\r%s [%s%s] %3d%% %s / %s", label, "#".repeat(filled), ".".repeat(WIDTH - filled), percent,
                InfoCommand.humanBytes(Math.min(done, total)), InfoCommand.humanBytes(total));
        err.flush();
    }

    /** Ends the line the bar was drawn on. */
    void finish() {
        if (shownPercent >= 0) err.println();
    }
}
