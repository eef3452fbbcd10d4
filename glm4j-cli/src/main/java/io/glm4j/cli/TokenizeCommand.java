package io.glm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.glm4j.Glm4jException;
import io.glm4j.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints the token ids of a text as a JSON array (one array per line for {@code --jsonl}). */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids of a text as a JSON array; with --jsonl, one array per input line.")
final class TokenizeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    TokenizerOptions tokenizer;

    @Option(names = "--no-special", description = "Encode special tokens written in the text (e.g. <|user|>) as plain text.")
    boolean noSpecial;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Parameters(paramLabel = "TEXT", description = "The text to tokenize.")
        String text;

        @Option(names = "--text-file", paramLabel = "F", description = "Tokenize the contents of a UTF-8 file.")
        Path textFile;

        @Option(names = "--jsonl", paramLabel = "F", description = "A file of JSON strings, one per line.")
        Path jsonl;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Tokenizer t = tokenizer.load();
        PrintWriter out = spec.commandLine().getOut();
        if (input.jsonl != null) {
            try (BufferedReader lines = Files.newBufferedReader(input.jsonl, StandardCharsets.UTF_8)) {
                int lineNumber = 0;
                for (String line; (line = lines.readLine()) != null; ) {
                    lineNumber++;
                    if (line.isBlank()) continue;
                    out.println(ids(t, parseJsonString(line, lineNumber)));
                }
            } catch (NoSuchFileException e) {
                throw new Glm4jException("file not found: " + input.jsonl);
            }
        } else {
            out.println(ids(t, input.text != null ? input.text : readFile(input.textFile)));
        }
        out.flush();
        return 0;
    }

    private String ids(Tokenizer t, String text) {
        return Arrays.stream(t.encode(text, !noSpecial)).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
    }

    private String parseJsonString(String line, int lineNumber) {
        try {
            var node = JSON.readTree(line);
            if (node != null && node.isTextual()) return node.textValue();
        } catch (IOException e) {
            // reported below
        }
        throw new Glm4jException(input.jsonl + " line " + lineNumber + " is not a JSON string");
    }

    private static String readFile(Path path) throws IOException {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new Glm4jException("file not found: " + path);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new Glm4jException(path + " is not valid UTF-8");
        }
    }
}
