package io.glm4j.grammar;

import java.util.Arrays;

/**
 * Where a parse can be after some bytes: every live stack, each as an automaton state that
 * consumes bytes plus the frames of the calls that led there, and whether the whole input so far
 * is a complete match. States with equal contents are shared ({@link CompiledGrammar} interns
 * them), so {@link #next} caches each byte's successor once for all parses of the grammar.
 */
final class ParseState {
    /** A pending return: after the called rule ends, go on at {@code returnState} with {@code parent}. */
    static final class Frame {
        final int returnState;
        final Frame parent;
        final int id;
        /** Fewest bytes that finish every rule on this stack once the called rule has ended. */
        final int distance;

        Frame(int returnState, Frame parent, int id, int distance) {
            this.returnState = returnState;
            this.parent = parent;
            this.id = id;
            this.distance = distance;
        }
    }

    final int[] states;
    final Frame[] frames;
    final boolean accepting;
    /** Fewest bytes to a complete match (0 when accepting; {@link ByteAutomaton#UNREACHABLE} or more if there is none). */
    final int distance;
    /** Successor per byte, filled in as they are needed; {@link CompiledGrammar#dead()} where a byte cannot follow. */
    final ParseState[] next = new ParseState[256];
    private final int hash;

    ParseState(int[] states, Frame[] frames, boolean accepting, int distance) {
        this.states = states;
        this.frames = frames;
        this.accepting = accepting;
        this.distance = distance;
        int h = Boolean.hashCode(accepting);
        for (int i = 0; i < states.length; i++) h = h * 31 + states[i] * 1_000_003 + frames[i].id;
        this.hash = h;
    }

    /** Nothing can follow: the input matched and the grammar allows no more. */
    boolean complete() {
        return accepting && states.length == 0;
    }

    boolean isDead() {
        return !accepting && states.length == 0;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ParseState p) || p.hash != hash || p.accepting != accepting || !Arrays.equals(p.states, states)) return false;
        for (int i = 0; i < frames.length; i++) if (frames[i] != p.frames[i]) return false;
        return true;
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
