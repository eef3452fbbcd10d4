package io.glm4j.grammar;

/**
 * Which tokens may come next in a constrained generation. A value: {@link #accept} returns the
 * constraint after a token and leaves this one as it was, so a speculative draft can look ahead
 * without disturbing the request's own state.
 */
public interface TokenConstraint {
    /** No limit on the number of tokens still to come. */
    int UNLIMITED = Integer.MAX_VALUE;

    /**
     * Sets {@code mask[id]} to whether token {@code id} may come next (the mask covers the
     * vocabulary). With {@code remainingTokens} this one included, a constraint that can tell
     * prefers tokens after which its output can still be completed in time.
     */
    void allowedTokens(boolean[] mask, int remainingTokens);

    /** The constraint after {@code token}; throws {@link IllegalArgumentException} if it was not allowed. */
    TokenConstraint accept(int token);

    /** Whether the output is finished: nothing may follow (generation should stop). */
    boolean complete();

    /** An upper bound on the tokens that finish the output from here (0 when it may end now). */
    int shortestCompletion();
}
