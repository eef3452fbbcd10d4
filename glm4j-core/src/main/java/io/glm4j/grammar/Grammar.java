package io.glm4j.grammar;

import io.glm4j.Glm4jException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A context-free grammar over Unicode text: named rules, the start rule being {@code root}.
 * {@link #parse} reads llama.cpp's GBNF notation; every rule a rule refers to must exist.
 */
public final class Grammar {
    public static final String ROOT = "root";

    private final Map<String, GrammarExpr> rules;

    public Grammar(Map<String, GrammarExpr> rules) {
        this.rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
        if (!rules.containsKey(ROOT)) throw new Glm4jException("grammar: there is no 'root' rule");
        rules.forEach((name, body) -> checkReferences(name, body));
    }

    /** Reads a GBNF grammar; a syntax error names the line and column. */
    public static Grammar parse(String gbnf) {
        return new Grammar(new GbnfParser(gbnf).rules());
    }

    public Map<String, GrammarExpr> rules() {
        return rules;
    }

    private void checkReferences(String rule, GrammarExpr e) {
        switch (e) {
            case GrammarExpr.RuleRef r -> {
                if (!rules.containsKey(r.name())) throw new Glm4jException("grammar: rule '" + rule + "' refers to undefined rule '" + r.name() + "'");
            }
            case GrammarExpr.Sequence s -> s.items().forEach(i -> checkReferences(rule, i));
            case GrammarExpr.Choice c -> c.alternatives().forEach(a -> checkReferences(rule, a));
            case GrammarExpr.Repeat r -> checkReferences(rule, r.body());
            case GrammarExpr.Literal l -> {}
            case GrammarExpr.CharClass c -> {}
        }
    }
}
