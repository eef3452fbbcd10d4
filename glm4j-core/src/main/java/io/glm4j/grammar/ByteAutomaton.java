package io.glm4j.grammar;

import io.glm4j.Glm4jException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A grammar compiled into one NFA over bytes per rule (Thompson construction), joined by call
 * states: a state may consume a byte range, move without input (epsilon), call a rule (then go
 * on at its return state) or end its rule. Characters become their UTF-8 byte sequences, so a
 * token that ends inside a character is matched exactly as far as it goes. Repetitions are
 * unrolled ({@code x{2,4}} is {@code x x (x (x)?)?}), loops stay loops.
 */
final class ByteAutomaton {
    /** Beyond this many states a grammar is refused (e.g. a huge {m,n} nested in another). */
    static final int MAX_STATES = 2_000_000;
    static final int UNREACHABLE = Integer.MAX_VALUE / 4;

    final int[][] edges;      // per state: lo, hi, target triples
    final int[][] epsilon;    // per state: targets
    final int[] callRule;     // per state: rule called, or -1
    final int[] callReturn;   // per state: where a call goes on
    final boolean[] end;      // per state: ends its rule
    final boolean[] tail;     // per state: reaches only its rule's end, consuming nothing (a call returning here needs no frame)
    final int[] toEnd;        // per state: fewest bytes that take it to its rule's end ({@link #UNREACHABLE} if none)
    final int[] ruleStart;
    final String[] ruleNames;
    final int root;

    private ByteAutomaton(Builder b, int[] ruleStart, String[] ruleNames, int root) {
        int n = b.edges.size();
        this.edges = new int[n][];
        this.epsilon = new int[n][];
        for (int s = 0; s < n; s++) {
            edges[s] = b.edges.get(s).stream().mapToInt(Integer::intValue).toArray();
            epsilon[s] = b.epsilon.get(s).stream().mapToInt(Integer::intValue).toArray();
        }
        this.callRule = b.callRule.stream().mapToInt(Integer::intValue).toArray();
        this.callReturn = b.callReturn.stream().mapToInt(Integer::intValue).toArray();
        this.end = new boolean[n];
        for (int s : b.ends) end[s] = true;
        this.ruleStart = ruleStart;
        this.ruleNames = ruleNames;
        this.root = root;
        this.tail = tailStates();
        this.toEnd = distancesToEnd();
    }

    static ByteAutomaton compile(Grammar grammar) {
        List<String> names = new ArrayList<>(grammar.rules().keySet());
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) index.put(names.get(i), i);
        Builder b = new Builder(index);
        int[] starts = new int[names.size()];
        for (int i = 0; i < names.size(); i++) {
            starts[i] = b.newState();
            int out = b.compile(grammar.rules().get(names.get(i)), starts[i]);
            int end = b.newState();
            b.epsilon.get(out).add(end);
            b.ends.add(end);
        }
        ByteAutomaton automaton = new ByteAutomaton(b, starts, names.toArray(String[]::new), index.get(Grammar.ROOT));
        automaton.rejectLeftRecursion();
        return automaton;
    }

    private static final class Builder {
        final Map<String, Integer> rules;
        final List<List<Integer>> edges = new ArrayList<>();
        final List<List<Integer>> epsilon = new ArrayList<>();
        final List<Integer> callRule = new ArrayList<>();
        final List<Integer> callReturn = new ArrayList<>();
        final List<Integer> ends = new ArrayList<>();

        Builder(Map<String, Integer> rules) {
            this.rules = rules;
        }

        int newState() {
            if (edges.size() >= MAX_STATES) throw new Glm4jException("grammar: too large (over " + MAX_STATES + " automaton states); use smaller repetition counts");
            edges.add(new ArrayList<>(3));
            epsilon.add(new ArrayList<>(1));
            callRule.add(-1);
            callReturn.add(-1);
            return edges.size() - 1;
        }

        void edge(int from, int lo, int hi, int to) {
            List<Integer> e = edges.get(from);
            e.add(lo);
            e.add(hi);
            e.add(to);
        }

        void eps(int from, int to) {
            epsilon.get(from).add(to);
        }

        /** Adds {@code e}'s states, entered from {@code in}; returns the state after it. */
        int compile(GrammarExpr e, int in) {
            return switch (e) {
                case GrammarExpr.Literal l -> {
                    int at = in;
                    for (byte x : l.text().getBytes(StandardCharsets.UTF_8)) {
                        int next = newState();
                        edge(at, x & 0xFF, x & 0xFF, next);
                        at = next;
                    }
                    yield at;
                }
                case GrammarExpr.CharClass c -> {
                    int start = newState(), out = newState();
                    eps(in, start);
                    for (int[] seq : Utf8Ranges.sequences(c.set())) {
                        int at = start;
                        for (int i = 0; i < seq.length; i += 2) {
                            int next = i + 2 == seq.length ? out : newState();
                            edge(at, seq[i], seq[i + 1], next);
                            at = next;
                        }
                    }
                    yield out;
                }
                case GrammarExpr.RuleRef r -> {
                    int call = newState(), ret = newState();
                    eps(in, call);
                    callRule.set(call, rules.get(r.name()));
                    callReturn.set(call, ret);
                    yield ret;
                }
                case GrammarExpr.Sequence s -> {
                    int at = in;
                    for (GrammarExpr item : s.items()) at = compile(item, at);
                    yield at;
                }
                case GrammarExpr.Choice c -> {
                    int out = newState();
                    for (GrammarExpr alt : c.alternatives()) {
                        int start = newState();
                        eps(in, start);
                        eps(compile(alt, start), out);
                    }
                    yield out;
                }
                case GrammarExpr.Repeat r -> repeat(r, in);
            };
        }

        private int repeat(GrammarExpr.Repeat r, int in) {
            int at = in;
            for (int i = 0; i < r.min(); i++) {
                int start = newState();
                eps(at, start);
                at = compile(r.body(), start);
            }
            int out = newState();
            if (r.max() == GrammarExpr.Repeat.UNBOUNDED) {
                int loop = newState();
                eps(at, loop);
                eps(loop, out);
                eps(compile(r.body(), loop), loop);
                return out;
            }
            // Each optional copy may be the last: x (x (x)?)? keeps every closure small.
            for (int i = r.min(); i < r.max(); i++) {
                eps(at, out);
                int start = newState();
                eps(at, start);
                at = compile(r.body(), start);
            }
            eps(at, out);
            return out;
        }
    }

    private boolean[] tailStates() {
        boolean[] t = end.clone();
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int s = 0; s < t.length; s++) {
                if (t[s] || edges[s].length > 0 || callRule[s] >= 0 || epsilon[s].length == 0) continue;
                boolean all = true;
                for (int x : epsilon[s]) all &= t[x];
                if (all) {
                    t[s] = true;
                    changed = true;
                }
            }
        }
        return t;
    }

    /**
     * Shortest completion of each state within its rule, in bytes: a byte edge costs one, a call
     * the shortest text of the rule called. Label-correcting shortest paths run backwards from the
     * rule ends; a call's cost is re-examined when either its return state or its callee's start
     * gets shorter.
     */
    private int[] distancesToEnd() {
        int n = edges.length;
        List<List<Integer>> before = new ArrayList<>(n); // states with an edge into s
        List<List<Integer>> callers = new ArrayList<>(ruleStart.length);
        for (int s = 0; s < n; s++) before.add(new ArrayList<>(2));
        for (int r = 0; r < ruleStart.length; r++) callers.add(new ArrayList<>());
        int[] ruleOfStart = new int[n];
        Arrays.fill(ruleOfStart, -1);
        for (int r = 0; r < ruleStart.length; r++) ruleOfStart[ruleStart[r]] = r;
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < edges[s].length; k += 3) before.get(edges[s][k + 2]).add(s);
            for (int t : epsilon[s]) before.get(t).add(s);
            if (callRule[s] >= 0) {
                before.get(callReturn[s]).add(s);
                callers.get(callRule[s]).add(s);
            }
        }
        int[] d = new int[n];
        Arrays.fill(d, UNREACHABLE);
        Deque<Integer> todo = new ArrayDeque<>();
        for (int s = 0; s < n; s++) {
            if (end[s]) {
                d[s] = 0;
                todo.add(s);
            }
        }
        while (!todo.isEmpty()) {
            int u = todo.poll();
            List<Integer> affected = new ArrayList<>(before.get(u));
            if (ruleOfStart[u] >= 0) affected.addAll(callers.get(ruleOfStart[u]));
            for (int p : affected) {
                int best = Math.min(d[p], viaEdges(p, d));
                if (best < d[p]) {
                    d[p] = best;
                    todo.add(p);
                }
            }
        }
        return d;
    }

    private int viaEdges(int s, int[] d) {
        int best = UNREACHABLE;
        for (int k = 0; k < edges[s].length; k += 3) best = Math.min(best, 1 + d[edges[s][k + 2]]);
        for (int t : epsilon[s]) best = Math.min(best, d[t]);
        if (callRule[s] >= 0) best = Math.min(best, d[ruleStart[callRule[s]]] + d[callReturn[s]]);
        return Math.min(best, UNREACHABLE);
    }

    /**
     * A rule that can reach a call of itself without consuming input would make the parser's
     * stack grow forever; refuse such grammars (as llama.cpp does).
     */
    private void rejectLeftRecursion() {
        int rules = ruleStart.length;
        boolean[] nullable = new boolean[rules];
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int r = 0; r < rules; r++) {
                if (!nullable[r] && reachesEnd(r, nullable, null)) {
                    nullable[r] = true;
                    changed = true;
                }
            }
        }
        List<List<Integer>> leftCalls = new ArrayList<>();
        for (int r = 0; r < rules; r++) {
            List<Integer> calls = new ArrayList<>();
            reachesEnd(r, nullable, calls);
            leftCalls.add(calls);
        }
        int[] color = new int[rules];
        for (int r = 0; r < rules; r++) if (color[r] == 0) visit(r, leftCalls, color);
    }

    private void visit(int r, List<List<Integer>> leftCalls, int[] color) {
        color[r] = 1;
        for (int callee : leftCalls.get(r)) {
            if (color[callee] == 1) throw new Glm4jException("grammar: rule '" + ruleNames[callee] + "' is left-recursive");
            if (color[callee] == 0) visit(callee, leftCalls, color);
        }
        color[r] = 2;
    }

    /** Whether rule {@code r} can end without input; collects the rules it calls before any input. */
    private boolean reachesEnd(int r, boolean[] nullable, List<Integer> calls) {
        boolean[] seen = new boolean[edges.length];
        Deque<Integer> todo = new ArrayDeque<>(List.of(ruleStart[r]));
        boolean ends = false;
        while (!todo.isEmpty()) {
            int s = todo.pop();
            if (seen[s]) continue;
            seen[s] = true;
            if (end[s]) ends = true;
            for (int x : epsilon[s]) todo.push(x);
            if (callRule[s] >= 0) {
                if (calls != null) calls.add(callRule[s]);
                if (nullable[callRule[s]]) todo.push(callReturn[s]);
            }
        }
        return ends;
    }

    @Override
    public String toString() {
        return "ByteAutomaton[" + edges.length + " states, rules " + Arrays.toString(ruleNames) + "]";
    }
}
