package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints the text of token ids, special tokens spelled out. */
@Command(name = "detokenize", mixinStandardHelpOptions = true, description = "Print the text of token ids (special tokens included).")
final class DetokenizeCommand implements Callable<Integer> {
    @Mixin
    TokenizerOptions tokenizer;

    @Option(names = "--ids", required = true, paramLabel = "1,2,3", description = "Token ids, comma-separated.")
    String ids;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Tokenizer t = tokenizer.load();
        int[] tokens = TokenIds.parse(ids);
        for (int id : tokens) {
            if (id < 0 || id >= t.vocabularySize()) {
                throw new Glm4jException("token id " + id + " is outside the vocabulary (0.." + (t.vocabularySize() - 1) + ")");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(new String(t.decode(tokens), StandardCharsets.UTF_8));
        out.flush();
        return 0;
    }
}
