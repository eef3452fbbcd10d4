package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.gguf.GgufFile;
import io.glm4j.hf.HfCheckpoint;
import io.glm4j.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Where a tokenizer comes from: a GGUF model's metadata or a Hugging Face tokenizer.json. */
final class TokenizerOptions {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "GGUF model file or Hugging Face checkpoint directory.")
        Path model;

        @Option(names = "--tokenizer", paramLabel = "tokenizer.json", description = "Hugging Face tokenizer.json.")
        Path tokenizerJson;
    }

    Tokenizer load() {
        if (source.model != null && HfCheckpoint.isCheckpoint(source.model)) return HfCheckpoint.tokenizer(source.model);
        if (source.model != null) {
            try (GgufFile file = GgufFile.open(source.model)) {
                return Tokenizer.fromGgufMetadata(file.metadata());
            }
        }
        if (!Files.isRegularFile(source.tokenizerJson)) throw new Glm4jException("tokenizer file not found: " + source.tokenizerJson);
        return Tokenizer.fromHuggingFace(source.tokenizerJson);
    }
}
