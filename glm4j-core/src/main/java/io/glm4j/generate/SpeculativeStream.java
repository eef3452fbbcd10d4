package io.glm4j.generate;

import io.glm4j.model.Batch;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One sequence's speculative decoding as a step machine, so that the verification passes of many
 * sequences can share one forward pass ({@link Scheduler}) or run alone ({@link SpeculativeGenerator}).
 *
 * <p>Each round: the sampled token {@code t} and up to {@code drafts} tokens the NextN layer
 * proposes (greedily, feeding it its own output for the 2nd and 3rd) are verified by the main
 * model; its logits then decide token by token, and the first disagreement is the next round's
 * {@code t}. Verification samples each target token with the request's own sampler (one draw per
 * emitted token) and accepts the draft when they agree; for a greedy (one-hot) draft this is
 * exactly the speculative-sampling accept / reject rule, so the output has the distribution —
 * and with a seed, the very tokens — of plain decoding.
 *
 * <p>The NextN layer at position i reads the main model's hidden state at i and the token at
 * i+1; its cache keeps only positions computed from confirmed tokens and true hidden states.
 */
final class SpeculativeStream {
    /** Drafts judged before {@code minAcceptance} may switch drafting off for the rest of a request. */
    static final int PROBATION = 16;

    private final Glm4MoeModel net;
    private final GenerationState state;
    private final Session session;
    private final KvCache nextnCache;
    private final int nextnSeq;
    private final int drafts;
    private final double minAcceptance;
    private final int hiddenSize;
    /** NextN inputs not yet in its cache: for consecutive positions, the following token and the main hidden state. */
    private final List<Integer> pendingTokens = new ArrayList<>();
    private final List<float[]> pendingHidden = new ArrayList<>();
    private float[] lastHidden;
    private int sampled = -1;
    private int position;
    private int[] proposal = new int[0];
    private int rounds, drafted, accepted;

    SpeculativeStream(Glm4MoeModel net, GenerationState state, Session session, KvCache nextnCache, int nextnSeq,
                      int drafts, double minAcceptance) {
        this.net = net;
        this.state = state;
        this.session = session;
        this.nextnCache = nextnCache;
        this.nextnSeq = nextnSeq;
        this.drafts = drafts;
        this.minAcceptance = minAcceptance;
        this.hiddenSize = net.config().hiddenSize();
    }

    /** Prefills the prompt (reusing only what both caches hold) and samples the first token; returns the reused count. */
    int prefill(int[] prompt, boolean cancelled) {
        int maxReuse = Math.max(0, Math.min(nextnCache.length(nextnSeq), session.commonPrefix(prompt) - 1));
        Session.Prefill prefill = session.prefill(prompt, maxReuse, true);
        int reused = prefill.reused();
        nextnCache.truncate(nextnSeq, reused);
        for (int i = reused; i < prompt.length - 1; i++) addPending(prompt[i + 1], row(prefill.hidden(), i - reused));
        lastHidden = row(prefill.hidden(), prompt.length - 1 - reused);
        position = session.length();
        sampled = state.step(prefill.logits(), session.tokens(), cancelled, position >= session.contextSize());
        return reused;
    }

    boolean finished() {
        return sampled < 0;
    }

    Session session() {
        return session;
    }

    /** Drafts this round's proposal; returns the tokens to verify: the sampled token, then the drafts. */
    int[] tokensToVerify() {
        addPending(sampled, lastHidden);
        int room = session.contextSize() - position - 1;
        if (drafted >= PROBATION && accepted < minAcceptance * drafted) room = 0; // not paying off: decode plainly
        proposal = room > 0 ? draft(Math.min(drafts, room)) : new int[0];
        pendingTokens.clear();
        pendingHidden.clear();
        nextnCache.truncate(nextnSeq, position); // keep positions computed from confirmed inputs only
        drafted += proposal.length;
        if (proposal.length > 0) rounds++;
        int[] verify = new int[proposal.length + 1];
        verify[0] = sampled;
        System.arraycopy(proposal, 0, verify, 1, proposal.length);
        return verify;
    }

    /** Takes the main model's output for {@link #tokensToVerify()} (already appended to the session) and decides. */
    void verified(Glm4MoeModel.Output out, boolean cancelled) {
        int[] history = session.tokens();
        int next = -1;
        int j = 0;
        for (; ; j++) {
            int[] seen = Arrays.copyOf(history, position + j + 1);
            int token = state.step(out.logitsRow(j), seen, cancelled, position + j + 1 >= session.contextSize());
            if (token < 0) break;
            addPending(token, row(out.hidden(), j));
            if (j < proposal.length && token == proposal[j]) {
                accepted++;
                continue;
            }
            next = token;
            break;
        }
        session.truncate(position + j + 1); // t and the accepted drafts stay
        if (!pendingTokens.isEmpty()) {
            // `next` is re-added with its hidden state at the start of the next round.
            pendingTokens.removeLast();
            lastHidden = pendingHidden.removeLast();
        }
        position = session.length();
        sampled = next;
    }

    Generator.Speculation statistics() {
        return new Generator.Speculation(rounds, drafted, accepted);
    }

    private void addPending(int token, float[] hidden) {
        pendingTokens.add(token);
        pendingHidden.add(hidden);
    }

    /**
     * Runs the NextN layer over the pending positions, then chains on its own output; returns the
     * greedy drafts (under the request's logit bias, penalties and constraint, so a forced token is proposed too).
     */
    private int[] draft(int count) {
        int n = pendingTokens.size();
        float[] hidden = new float[n * hiddenSize];
        for (int i = 0; i < n; i++) System.arraycopy(pendingHidden.get(i), 0, hidden, i * hiddenSize, hiddenSize);
        int[] tokens = pendingTokens.stream().mapToInt(Integer::intValue).toArray();
        Glm4MoeModel.Output out = net.forwardNextN(Batch.of(nextnSeq, nextnCache.length(nextnSeq), tokens, false), hidden, nextnCache);
        int[] history = session.tokens();
        int[] seen = Arrays.copyOf(history, history.length + count);
        seen[history.length] = sampled;
        int[] result = new int[count];
        for (int d = 0; d < count; d++) {
            result[d] = state.draft(out.logitsRow(0), Arrays.copyOf(seen, history.length + 1 + d), d);
            if (d + 1 < count) {
                seen[history.length + 1 + d] = result[d];
                out = net.forwardNextN(Batch.of(nextnSeq, nextnCache.length(nextnSeq), new int[] {result[d]}, false), out.hidden(), nextnCache);
            }
        }
        return result;
    }

    private float[] row(float[] rows, int index) {
        return Arrays.copyOfRange(rows, index * hiddenSize, (index + 1) * hiddenSize);
    }
}
