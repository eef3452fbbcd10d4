package io.glm4j.generate;

import io.glm4j.chat.ThinkingStart;
import io.glm4j.grammar.TokenConstraint;
import io.glm4j.tokenizer.TokenType;
import io.glm4j.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Constrains only the answer of a GLM-4.5 reply: the reasoning block is free text. How the reply
 * starts follows the prompt ({@link ThinkingStart}):
 * <ul>
 *   <li>CLOSED (thinking off: the prompt ends in {@code <think></think>}): the constraint applies
 *       from the first token;</li>
 *   <li>OPEN (the prompt ends inside {@code <think>}): any tokens but end-of-generation ones until
 *       the model writes {@code </think>};</li>
 *   <li>AWAITING (thinking on: the model may open {@code <think>} itself): the model may write a
 *       little whitespace (at most {@value #MAX_PRELUDE} whitespace-only tokens, not fed to the
 *       constraint) and then either {@code <think>} or the answer's first token.</li>
 * </ul>
 * After {@code </think>} the same whitespace allowance applies, then the answer. Reasoning cannot
 * end generation, and when the remaining tokens only just fit the answer's shortest completion,
 * {@code </think>} is forced, so that a constrained reply is complete whenever the token limit
 * allows one. The chat output parser strips the whitespace around the answer.
 */
public final class AfterThinking implements TokenConstraint {
    static final int MAX_PRELUDE = 2;
    private static final Map<Tokenizer, int[]> WHITESPACE_TOKENS = Collections.synchronizedMap(new WeakHashMap<>());

    private enum Phase { PRELUDE, REASONING, ANSWER }

    private final TokenConstraint answer;
    private final Phase phase;
    private final boolean thoughtAlready;
    private final int preludeTokens;
    private final Context context;

    private record Context(int thinkOpen, int thinkClose, int[] whitespace, Set<Integer> endOfGeneration) {}

    private AfterThinking(TokenConstraint answer, Phase phase, boolean thoughtAlready, int preludeTokens, Context context) {
        this.answer = answer;
        this.phase = phase;
        this.thoughtAlready = thoughtAlready;
        this.preludeTokens = preludeTokens;
        this.context = context;
    }

    /** {@code answer} applied after the reasoning block of a reply that starts as {@code start} says. */
    public static TokenConstraint of(TokenConstraint answer, ThinkingStart start, Tokenizer tokenizer) {
        OptionalInt open = tokenizer.tokenId("<think>"), close = tokenizer.tokenId("</think>");
        if (start == ThinkingStart.CLOSED || open.isEmpty() || close.isEmpty()) return answer;
        Context context = new Context(open.getAsInt(), close.getAsInt(),
                WHITESPACE_TOKENS.computeIfAbsent(tokenizer, AfterThinking::whitespaceTokens), tokenizer.specialTokens().endOfGeneration());
        return new AfterThinking(answer, start == ThinkingStart.OPEN ? Phase.REASONING : Phase.PRELUDE, false, 0, context);
    }

    private static int[] whitespaceTokens(Tokenizer t) {
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < t.vocabularySize(); id++) {
            if (t.tokenType(id) != TokenType.NORMAL) continue;
            String text = new String(t.tokenBytes(id), StandardCharsets.UTF_8);
            if (!text.isEmpty() && text.chars().allMatch(c -> c == ' ' || c == '\n' || c == '\t' || c == '\r')) ids.add(id);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void allowedTokens(boolean[] mask, int remainingTokens) {
        switch (phase) {
            case ANSWER -> answer.allowedTokens(mask, remainingTokens);
            case REASONING -> {
                boolean mustClose = remainingTokens != UNLIMITED && remainingTokens - 1 <= answer.shortestCompletion() + 1;
                Arrays.fill(mask, !mustClose);
                for (int id : context.endOfGeneration) if (id < mask.length) mask[id] = false;
                mask[context.thinkClose] = true;
            }
            case PRELUDE -> {
                answer.allowedTokens(mask, remainingTokens);
                boolean roomToThink = remainingTokens == UNLIMITED || remainingTokens - 2 > answer.shortestCompletion() + 1;
                if (!thoughtAlready && roomToThink) mask[context.thinkOpen] = true;
                if (preludeTokens < MAX_PRELUDE && (remainingTokens == UNLIMITED || remainingTokens - 1 > answer.shortestCompletion() + 1)) {
                    for (int id : context.whitespace) if (id < mask.length) mask[id] = true;
                }
            }
        }
    }

    @Override
    public TokenConstraint accept(int token) {
        return switch (phase) {
            case ANSWER -> answer.accept(token);
            case REASONING -> {
                if (context.endOfGeneration.contains(token)) throw new IllegalArgumentException("reasoning cannot end the reply");
                yield token == context.thinkClose ? new AfterThinking(answer, Phase.PRELUDE, true, 0, context) : this;
            }
            case PRELUDE -> {
                if (token == context.thinkOpen && !thoughtAlready) yield new AfterThinking(answer, Phase.REASONING, false, 0, context);
                if (preludeTokens < MAX_PRELUDE && Arrays.binarySearch(context.whitespace, token) >= 0) {
                    yield new AfterThinking(answer, Phase.PRELUDE, thoughtAlready, preludeTokens + 1, context);
                }
                yield new AfterThinking(answer.accept(token), Phase.ANSWER, true, 0, context);
            }
        };
    }

    @Override
    public boolean complete() {
        return phase == Phase.ANSWER && answer.complete();
    }

    @Override
    public int shortestCompletion() {
        return answer.shortestCompletion() + (phase == Phase.REASONING ? 1 : 0);
    }
}
