package io.glm4j.chat;

/**
 * One stream of text (the reasoning, or the answer) with its outer whitespace dropped as it
 * streams: whitespace before the first visible character is discarded, and a whitespace run is
 * held back until visible text follows it, so the stream never ends in whitespace. This is the
 * text the template's {@code .strip()} would keep when the reply is sent back in a later turn.
 */
final class TrimmedText {
    private final StringBuilder heldWhitespace = new StringBuilder();
    private boolean started;

    /** The part of {@code text} that can be emitted now (possibly empty). */
    String accept(CharSequence text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int c = Character.codePointAt(text, i);
            if (PythonStrings.isSpace(c)) {
                if (started) {
                    heldWhitespace.appendCodePoint(c);
                }
            } else {
                out.append(heldWhitespace).appendCodePoint(c);
                heldWhitespace.setLength(0);
                started = true;
            }
            i += Character.charCount(c);
        }
        return out.toString();
    }
}
