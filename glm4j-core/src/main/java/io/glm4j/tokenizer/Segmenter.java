package io.glm4j.tokenizer;

/** Cuts input text into added tokens and the plain text between them. */
interface Segmenter {

    /** Receives, in order, the plain-text runs and the ids of added tokens found in the input. */
    interface Sink {
        void text(String text);

        void token(int id);
    }

    void segment(String text, boolean parseSpecial, Sink sink);
}
