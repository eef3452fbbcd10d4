package io.glm4j.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Splits text into the pieces that BPE encodes one at a time (words, numbers, spaces, ...). */
interface PreTokenizer {

    void split(String text, Consumer<String> pieces);

    /** Applies each stage to every piece the previous stage produced. */
    static PreTokenizer sequence(List<PreTokenizer> stages) {
        if (stages.size() == 1) {
            return stages.getFirst();
        }
        return (text, pieces) -> {
            List<String> current = List.of(text);
            for (PreTokenizer stage : stages) {
                List<String> nextPieces = new ArrayList<>();
                for (String piece : current) {
                    stage.split(piece, nextPieces::add);
                }
                current = nextPieces;
            }
            current.forEach(pieces);
        };
    }

    /**
     * A space before every piece that does not start with one (the ByteLevel pre-tokenizer's
     * {@code add_prefix_space}; Hugging Face applies it to each piece, so we do too).
     */
    static PreTokenizer prefixSpace() {
        return (text, pieces) -> pieces.accept(text.startsWith(" ") ? text : " " + text);
    }
}
