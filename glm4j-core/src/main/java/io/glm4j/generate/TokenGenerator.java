package io.glm4j.generate;

import java.util.function.BooleanSupplier;

/** Generates a reply on one session: plainly ({@link Generator}) or speculatively ({@link SpeculativeGenerator}). */
public interface TokenGenerator {
    Generator.Result generate(Session session, GenerationRequest request, Generator.Listener listener, BooleanSupplier cancelled);
}
