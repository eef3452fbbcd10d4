package io.glm4j.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A grammar ready for matching byte by byte. The parser is a pushdown automaton run on every
 * possible path at once (a set of stacks, as in llama.cpp); the set reached after each byte is
 * interned and its successors cached, which builds the deterministic automaton lazily, only where
 * generation goes. Tail calls push no frame, so repetition written as right recursion stays
 * finite. Safe for use from several threads.
 */
public final class CompiledGrammar {
    /** Interned parse states kept before the tables are dropped and rebuilt as needed. */
    private static final int MAX_INTERNED = 20_000;

    final ByteAutomaton automaton;
    private final ParseState.Frame root = new ParseState.Frame(-1, null, 0, 0);
    private final ParseState dead = new ParseState(new int[0], new ParseState.Frame[0], false, ByteAutomaton.UNREACHABLE);
    private final Map<Long, ParseState.Frame> frames = new HashMap<>();
    private final Map<ParseState, ParseState> interned = new HashMap<>();
    /** Frame ids are never reused, even after the tables are dropped: live states still hold old frames. */
    private int nextFrameId = 1;
    private final ParseState start;

    private CompiledGrammar(ByteAutomaton automaton) {
        this.automaton = automaton;
        Closure c = new Closure();
        c.add(automaton.ruleStart[automaton.root], root);
        this.start = c.result();
    }

    public static CompiledGrammar compile(Grammar grammar) {
        return new CompiledGrammar(ByteAutomaton.compile(grammar));
    }

    public static CompiledGrammar parse(String gbnf) {
        return compile(Grammar.parse(gbnf));
    }

    /** Whether the whole text is in the grammar's language. */
    public boolean matches(String text) {
        ParseState s = advance(start, text.getBytes(StandardCharsets.UTF_8));
        return s.accepting;
    }

    /** Whether the text can be continued into a match (or is one). */
    public boolean matchesPrefix(String text) {
        return !advance(start, text.getBytes(StandardCharsets.UTF_8)).isDead();
    }

    ParseState start() {
        return start;
    }

    ParseState dead() {
        return dead;
    }

    ParseState advance(ParseState s, byte[] bytes) {
        for (byte b : bytes) {
            s = step(s, b & 0xFF);
            if (s == dead) return dead;
        }
        return s;
    }

    /** The parse state after one more byte ({@link #dead()} if it cannot follow). */
    ParseState step(ParseState s, int b) {
        ParseState n = s.next[b];
        if (n != null) return n;
        synchronized (this) {
            n = s.next[b];
            if (n == null) {
                n = computeStep(s, b);
                s.next[b] = n;
            }
            return n;
        }
    }

    private ParseState computeStep(ParseState s, int b) {
        Closure c = new Closure();
        for (int i = 0; i < s.states.length; i++) {
            int[] e = automaton.edges[s.states[i]];
            for (int k = 0; k < e.length; k += 3) {
                if (b >= e[k] && b <= e[k + 1]) c.add(e[k + 2], s.frames[i]);
            }
        }
        return c.result();
    }

    /** Everything reachable from some (state, frame) pairs without consuming input. */
    private final class Closure {
        private final Set<Long> seen = new HashSet<>();
        private final Map<Long, ParseState.Frame> items = new HashMap<>();
        private final Deque<Object[]> todo = new ArrayDeque<>();
        private boolean accepting;

        void add(int state, ParseState.Frame frame) {
            todo.push(new Object[] {state, frame});
            while (!todo.isEmpty()) {
                Object[] item = todo.pop();
                visit((Integer) item[0], (ParseState.Frame) item[1]);
            }
        }

        private void visit(int s, ParseState.Frame f) {
            long key = (long) s << 32 | f.id;
            if (!seen.add(key)) return;
            ByteAutomaton a = automaton;
            if (a.edges[s].length > 0) items.put(key, f);
            for (int t : a.epsilon[s]) todo.push(new Object[] {t, f});
            if (a.callRule[s] >= 0) {
                int ret = a.callReturn[s];
                ParseState.Frame callee = a.tail[ret] ? f : frame(ret, f);
                todo.push(new Object[] {a.ruleStart[a.callRule[s]], callee});
            }
            if (a.end[s]) {
                if (f == root) accepting = true;
                else todo.push(new Object[] {f.returnState, f.parent});
            }
        }

        ParseState result() {
            if (items.isEmpty() && !accepting) return dead;
            long[] keys = items.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
            int[] states = new int[keys.length];
            ParseState.Frame[] fs = new ParseState.Frame[keys.length];
            int distance = accepting ? 0 : ByteAutomaton.UNREACHABLE;
            for (int i = 0; i < keys.length; i++) {
                states[i] = (int) (keys[i] >>> 32);
                fs[i] = items.get(keys[i]);
                distance = Math.min(distance, saturated(automaton.toEnd[states[i]] + fs[i].distance));
            }
            return intern(new ParseState(states, fs, accepting, distance));
        }
    }

    private ParseState.Frame frame(int returnState, ParseState.Frame parent) {
        long key = (long) returnState << 32 | parent.id;
        ParseState.Frame f = frames.get(key);
        if (f == null) {
            f = new ParseState.Frame(returnState, parent, nextFrameId++, saturated(automaton.toEnd[returnState] + parent.distance));
            frames.put(key, f);
        }
        return f;
    }

    private static int saturated(int d) {
        return Math.min(d, ByteAutomaton.UNREACHABLE);
    }

    private ParseState intern(ParseState s) {
        if (interned.size() >= MAX_INTERNED) {
            // Unlink the cached successors too, or the start state would keep them all alive.
            // Live parse states keep working (successors are recomputed); only sharing is lost.
            for (ParseState known : interned.keySet()) Arrays.fill(known.next, null);
            interned.clear();
            frames.clear();
        }
        ParseState known = interned.putIfAbsent(s, s);
        return known != null ? known : s;
    }

    @Override
    public String toString() {
        return "CompiledGrammar[" + automaton + "]";
    }
}
