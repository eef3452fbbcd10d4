package io.glm4j.tokenizer;

import java.util.LinkedHashSet;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Ids with a role, as a model file declares them. For GLM-4.5: eos {@code <|endoftext|>},
 * eot {@code <|user|>}, eom {@code <|observation|>}, bos {@code [gMASK]} (never added
 * automatically: the chat template writes it), pad and unk {@code <|endoftext|>}.
 */
public record SpecialTokenIds(
        OptionalInt bos, OptionalInt eos, OptionalInt eot, OptionalInt eom, OptionalInt pad, OptionalInt unk) {

    public static final SpecialTokenIds NONE = new SpecialTokenIds(
            OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(),
            OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());

    /** The ids that end a generated turn: eos, eot and eom where declared (llama.cpp's EOG set). */
    public Set<Integer> endOfGeneration() {
        Set<Integer> ids = new LinkedHashSet<>();
        eos.ifPresent(ids::add);
        eot.ifPresent(ids::add);
        eom.ifPresent(ids::add);
        return java.util.Collections.unmodifiableSet(ids);
    }
}
