package io.glm4j.generate;

import java.util.List;

/**
 * Watches streamed text for stop strings. Text that could still be the start of a stop string
 * is held back, so a caller never shows part of a stop string and then has to take it back.
 */
final class StopStrings {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopStrings(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    boolean stopped() {
        return stopped;
    }

    /** Adds text; returns what can be released now (up to the stop string, once one appears). */
    String accept(String text) {
        if (stopped) return "";
        pending.append(text);
        int cut = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        int keep = 0;
        for (String stop : stops) keep = Math.max(keep, partialSuffix(stop));
        String out = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return out;
    }

    /** Releases held-back text at the end of generation. */
    String flush() {
        String out = stopped ? "" : pending.toString();
        pending.setLength(0);
        return out;
    }

    /** Length of the longest suffix of the pending text that is a proper prefix of {@code stop}. */
    private int partialSuffix(String stop) {
        String text = pending.toString();
        for (int n = Math.min(stop.length() - 1, text.length()); n > 0; n--) {
            if (text.regionMatches(text.length() - n, stop, 0, n)) return n;
        }
        return 0;
    }
}
