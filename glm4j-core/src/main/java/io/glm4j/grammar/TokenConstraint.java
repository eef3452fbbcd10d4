package io.glm4j.grammar;

/**
 * Which tokens may come next in a constrained generation. A value: {@link #accept} returns the
 * constraint after a token and leaves this one as it was, so a speculative draft can look ahead
 * without disturbing the request's own state.
 */
public interface TokenConstraint {
    /** Sets {@code mask[id]} to whether token {@code id} may come next (the mask covers the vocabulary). */
    void allowedTokens(boolean[] mask);

    /** The constraint after {@code token}; throws {@link IllegalArgumentException} if it was not allowed. */
    TokenConstraint accept(int token);

    /** Whether the output is finished: nothing may follow (generation should stop). */
    boolean complete();
}
