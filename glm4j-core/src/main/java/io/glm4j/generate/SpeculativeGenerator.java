package io.glm4j.generate;

import io.glm4j.Glm4jException;
import io.glm4j.model.KvCache;
import java.util.function.BooleanSupplier;

/**
 * Self-speculative decoding of one sequence with the model's NextN (MTP) layer (see
 * {@link SpeculativeStream} for the rule). Output equals plain decoding; only the speed differs.
 */
public final class SpeculativeGenerator implements TokenGenerator {
    /** Drafts judged before a minimum acceptance rate may switch drafting off for the rest of a request. */
    public static final int PROBATION = SpeculativeStream.PROBATION;

    private final LoadedModel model;
    private final int drafts;
    private final KvCache nextnCache;
    private final int nextnSeq;
    private final double minAcceptance;

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
        requireDrafting(model, drafts);
        this.model = model;
        this.drafts = drafts;
        this.nextnCache = nextnCache;
        this.nextnSeq = nextnSeq;
        this.minAcceptance = minAcceptance;
    }

    static void requireDrafting(LoadedModel model, int drafts) {
        if (!model.model().hasNextN()) throw new Glm4jException("this model file has no NextN (MTP) layer to speculate with");
        if (drafts < 1 || drafts > 3) throw new Glm4jException("--draft must be 1, 2 or 3, got " + drafts);
    }

    @Override
    public Generator.Result generate(Session session, GenerationRequest request, Generator.Listener listener, BooleanSupplier cancelled) {
        long start = System.nanoTime();
        GenerationState state = new GenerationState(model, request, listener);
        SpeculativeStream stream = new SpeculativeStream(model.model(), state, session, nextnCache, nextnSeq, drafts, minAcceptance);
        int reused = stream.prefill(request.prompt(), cancelled.getAsBoolean());
        long prefilled = System.nanoTime();
        while (!stream.finished()) {
            stream.verified(session.extend(stream.tokensToVerify()), cancelled.getAsBoolean());
        }
        return state.result(reused, prefilled - start, System.nanoTime() - prefilled, stream.statistics());
    }
}
