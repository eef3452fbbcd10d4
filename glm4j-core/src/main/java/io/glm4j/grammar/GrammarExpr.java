package io.glm4j.grammar;

import java.util.List;

/** The right-hand side of a grammar rule. */
public sealed interface GrammarExpr {
    /** Exactly this text. */
    record Literal(String text) implements GrammarExpr {}

    /** One character from the set. */
    record CharClass(CodePoints set) implements GrammarExpr {}

    /** Whatever the named rule matches. */
    record RuleRef(String name) implements GrammarExpr {}

    record Sequence(List<GrammarExpr> items) implements GrammarExpr {
        public Sequence {
            items = List.copyOf(items);
        }
    }

    record Choice(List<GrammarExpr> alternatives) implements GrammarExpr {
        public Choice {
            alternatives = List.copyOf(alternatives);
        }
    }

    /** {@code body} between {@code min} and {@code max} times; {@code max} {@link #UNBOUNDED} has no limit. */
    record Repeat(GrammarExpr body, int min, int max) implements GrammarExpr {
        public static final int UNBOUNDED = -1;
    }
}
