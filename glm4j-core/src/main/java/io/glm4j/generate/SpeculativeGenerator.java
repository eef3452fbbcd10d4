package io.glm4j.generate;

import io.glm4j.Glm4jException;
import io.glm4j.model.Batch;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Self-speculative decoding with the model's NextN (MTP) layer. Each round the sampled token
 * {@code t} and up to {@code drafts} tokens the NextN layer proposes (greedily, feeding it its own
 * output for the 2nd and 3rd) go through the main model in one batch; the main model's logits
 * then decide token by token, and the first disagreement is the next round's {@code t}.
 *
 * <p>Verification samples the target token from the main model's distribution (the request's own
 * sampler, one draw per emitted token) and accepts the draft when they agree. With a greedy
 * (one-hot) draft this is exactly the speculative-sampling accept / reject rule — accept with
 * probability p(draft), else draw from p without the draft, renormalised — so the output has the
 * distribution, and with a seed the very tokens, of plain decoding.
 *
 * <p>The NextN layer at position i reads the main model's hidden state at i and the token at i+1;
 * its cache keeps only positions computed from confirmed tokens and true hidden states.
 */
public final class SpeculativeGenerator implements TokenGenerator {
    private final LoadedModel model;
    private final int drafts;
    private final KvCache nextnCache;
    private final int nextnSeq;
    private final double minAcceptance;

    /** Drafts judged before {@code minAcceptance} may switch drafting off for the rest of a request. */
    static final int PROBATION = 16;

    /**
     * @param nextnCache the NextN layer's cache; sequence {@code nextnSeq} of it must be used only
     *                   together with the sessions passed to {@link #generate} (or be empty)
     */
    public SpeculativeGenerator(LoadedModel model, int drafts, KvCache nextnCache, int nextnSeq) {
        this(model, drafts, nextnCache, nextnSeq, 0);
    }

    /**
     * @param minAcceptance once {@link #PROBATION} drafts have been judged, a request whose acceptance
     *                      rate is below this stops drafting (speculation would cost more than it saves)
     */
    public SpeculativeGenerator(LoadedModel model, int drafts, KvCache nextnCache, int nextnSeq, double minAcceptance) {
        if (!model.model().hasNextN()) throw new Glm4jException("this model file has no NextN (MTP) layer to speculate with");
        if (drafts < 1 || drafts > 3) throw new Glm4jException("--draft must be 1, 2 or 3, got " + drafts);
        this.model = model;
        this.drafts = drafts;
        this.nextnCache = nextnCache;
        this.nextnSeq = nextnSeq;
        this.minAcceptance = minAcceptance;
    }

    /** NextN inputs not yet in its cache: for consecutive positions, the following token and the main hidden state. */
    private static final class Pending {
        final List<Integer> tokens = new ArrayList<>();
        final List<float[]> hidden = new ArrayList<>();

        void add(int token, float[] h) {
            tokens.add(token);
            hidden.add(h);
        }

        void clear() {
            tokens.clear();
            hidden.clear();
        }
    }

    @Override
    public Generator.Result generate(Session session, GenerationRequest request, Generator.Listener listener, BooleanSupplier cancelled) {
        Glm4MoeModel net = model.model();
        int h = net.config().hiddenSize();
        long start = System.nanoTime();
        GenerationState state = new GenerationState(model, request, listener);
        int[] prompt = request.prompt();
        // Reuse only what the NextN cache can follow: positions below `reused` must be in both caches.
        int maxReuse = Math.max(0, Math.min(nextnCache.length(nextnSeq), session.commonPrefix(prompt) - 1));
        Session.Prefill prefill = session.prefill(prompt, maxReuse, true);
        int reused = prefill.reused();
        nextnCache.truncate(nextnSeq, reused);
        Pending pending = new Pending();
        for (int i = reused; i < prompt.length - 1; i++) pending.add(prompt[i + 1], row(prefill.hidden(), i - reused, h));
        float[] lastHidden = row(prefill.hidden(), prompt.length - 1 - reused, h);
        long prefilled = System.nanoTime();

        int rounds = 0, drafted = 0, accepted = 0;
        int position = session.length(); // where the next sampled token goes
        int t = state.step(prefill.logits(), session.tokens(), cancelled.getAsBoolean(), position >= session.contextSize());
        while (t >= 0) {
            pending.add(t, lastHidden);
            int room = session.contextSize() - position - 1;
            if (drafted >= PROBATION && accepted < minAcceptance * drafted) room = 0; // not paying off: decode plainly
            int[] proposal = room > 0 ? draft(net, state, session.tokens(), t, nextnCache, nextnSeq, pending, Math.min(drafts, room)) : new int[0];
            pending.clear();
            nextnCache.truncate(nextnSeq, position); // keep positions computed from confirmed inputs only
            drafted += proposal.length;
            if (proposal.length > 0) rounds++;

            int[] verify = new int[proposal.length + 1];
            verify[0] = t;
            System.arraycopy(proposal, 0, verify, 1, proposal.length);
            Glm4MoeModel.Output out = session.extend(verify);
            int[] history = session.tokens();
            int next = -1;
            int j = 0;
            for (; ; j++) {
                int[] seen = Arrays.copyOf(history, position + j + 1);
                int token = state.step(out.logitsRow(j), seen, cancelled.getAsBoolean(), position + j + 1 >= session.contextSize());
                if (token < 0) break;
                pending.add(token, row(out.hidden(), j, h));
                if (j < proposal.length && token == proposal[j]) {
                    accepted++;
                    continue;
                }
                next = token;
                break;
            }
            session.truncate(position + j + 1); // t and the accepted drafts stay
            lastHidden = pending.hidden.isEmpty() ? null : pending.hidden.removeLast();
            if (!pending.tokens.isEmpty()) pending.tokens.removeLast(); // `next` is re-added with its hidden next round
            position = session.length();
            t = next;
        }
        return state.result(reused, prefilled - start, System.nanoTime() - prefilled, new Generator.Speculation(rounds, drafted, accepted));
    }

    /**
     * Runs the NextN layer over the pending positions, then chains on its own output; returns the
     * greedy drafts (under the request's logit bias and penalties, so a forced token is proposed too).
     */
    private int[] draft(Glm4MoeModel net, GenerationState state, int[] history, int sampled, KvCache nextnCache, int seq,
                        Pending pending, int count) {
        int n = pending.tokens.size();
        int h = net.config().hiddenSize();
        float[] hidden = new float[n * h];
        for (int i = 0; i < n; i++) System.arraycopy(pending.hidden.get(i), 0, hidden, i * h, h);
        int[] tokens = pending.tokens.stream().mapToInt(Integer::intValue).toArray();
        Glm4MoeModel.Output out = net.forwardNextN(Batch.of(seq, nextnCache.length(seq), tokens, false), hidden, nextnCache);
        int[] proposal = new int[count];
        int[] seen = Arrays.copyOf(history, history.length + count);
        seen[history.length] = sampled;
        for (int d = 0; d < count; d++) {
            proposal[d] = state.draft(out.logitsRow(0), Arrays.copyOf(seen, history.length + 1 + d));
            if (history.length + 1 + d < seen.length) seen[history.length + 1 + d] = proposal[d];
            if (d + 1 < count) {
                out = net.forwardNextN(Batch.of(seq, nextnCache.length(seq), new int[] {proposal[d]}, false), out.hidden(), nextnCache);
            }
        }
        return proposal;
    }

    private static float[] row(float[] rows, int index, int width) {
        return Arrays.copyOfRange(rows, index * width, (index + 1) * width);
    }
}
