package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.chat.OutputEvent;
import io.glm4j.generate.Conversation;
import io.glm4j.generate.FinishReason;
import io.glm4j.generate.LoadedModel;
import io.glm4j.generate.Session;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Interactive chat in the terminal: line editing and history (JLine), multi-line input, the
 * reply streamed with reasoning dimmed, {@code /think}, {@code /nothink}, {@code /reset};
 * Ctrl-C stops the answer, Ctrl-D or {@code /exit} leaves.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, description = "Chat with the model in the terminal.")
final class ChatCommand implements Callable<Integer> {
    /** Where the terminal comes from; tests replace it with one over in-memory streams. */
    static Supplier<Terminal> terminals = ChatCommand::systemTerminal;

    private static final String HELP = """
            Type a message and press Enter. End a line with \\ to continue on the next one.
            /think, /nothink  turn the model's reasoning on or off
            /reset            start a new conversation
            /exit             leave (or Ctrl-D); Ctrl-C stops an answer""";

    @Mixin
    ModelChoice modelChoice;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    ContextOptions context;

    @Mixin
    WarmUpOption warmUp;

    @Mixin
    SpeculationOptions speculation;

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", defaultValue = "4096", description = "Most tokens per answer (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--no-think", description = "Start with reasoning off (as /nothink).")
    boolean noThink;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        try (Terminal terminal = terminals.get(); LoadedModel model = modelChoice.open(spec.commandLine().getErr(), warmUp.noWarmUp ? null : context.type())) {
            PrintWriter out = terminal.writer();
            Session session = context.newSession(model.model());
            Conversation chat = new Conversation(model, session, speculation.generatorFor(model, session, context.kv));
            chat.setThinking(!noThink);
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).parser(plainParser())
                    .variable(LineReader.HISTORY_FILE, historyFile())
                    .variable(LineReader.SECONDARY_PROMPT_PATTERN, "... ")
                    .build();
            out.println("glm4j chat with " + model.path().getFileName() + " — /help for commands");
            out.flush();
            while (true) {
                String input;
                try {
                    input = readMessage(reader);
                } catch (UserInterruptException e) {
                    out.println("(Ctrl-D or /exit to leave)");
                    continue;
                } catch (EndOfFileException e) {
                    return 0;
                }
                String command = input.strip();
                if (command.isEmpty()) continue;
                switch (command) {
                    case "/exit", "/quit", "/bye" -> {
                        return 0;
                    }
                    case "/help" -> out.println(HELP);
                    case "/reset" -> {
                        chat.reset();
                        out.println("(new conversation)");
                    }
                    case "/think" -> {
                        chat.setThinking(true);
                        out.println("(reasoning on)");
                    }
                    case "/nothink" -> {
                        chat.setThinking(false);
                        out.println("(reasoning off)");
                    }
                    default -> answer(terminal, chat, input);
                }
                out.flush();
            }
        }
    }

    private void answer(Terminal terminal, Conversation chat, String message) {
        PrintWriter out = terminal.writer();
        AtomicBoolean cancelled = new AtomicBoolean();
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> cancelled.set(true));
        try {
            Conversation.Reply reply = chat.send(message, sampling.params(), maxTokens, event -> {
                switch (event) {
                    case OutputEvent.ReasoningDelta r -> out.print(new AttributedString(r.text(), AttributedStyle.DEFAULT.faint()).toAnsi(terminal));
                    case OutputEvent.ContentDelta c -> out.print(c.text());
                    case OutputEvent.ToolCallComplete t -> out.print("[tool call " + t.call().name() + " " + t.call().argumentsJson() + "]");
                }
                out.flush();
            }, cancelled::get);
            out.println();
            FinishReason reason = reply.generation().finishReason();
            if (reason == FinishReason.CANCELLED) out.println("(stopped)");
            if (speculation.verbose) out.println("(" + SpeculationOptions.describe(reply.generation()) + ")");
            if (reason == FinishReason.LENGTH) out.println("(answer cut at " + maxTokens + " tokens)");
            if (reason == FinishReason.CONTEXT_FULL) out.println("(the context is full: /reset to start over, or use a larger --ctx)");
        } catch (Glm4jException e) {
            out.println();
            out.println("error: " + e.getMessage());
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
        }
    }

    /** JLine's parser without escape characters: a backslash is text (paths, code). */
    static DefaultParser plainParser() {
        DefaultParser parser = new DefaultParser();
        parser.setEscapeChars(null);
        return parser;
    }

    /** Reads one message; a line ending in a backslash continues on the next line. */
    static String readMessage(LineReader reader) {
        StringBuilder message = new StringBuilder();
        String prompt = "> ";
        while (true) {
            String line = reader.readLine(prompt);
            if (!line.endsWith("\\")) return message.append(line).toString();
            message.append(line, 0, line.length() - 1).append('\n');
            prompt = "... ";
        }
    }

    private static Path historyFile() {
        Path dir = Path.of(System.getProperty("user.home"), ".glm4j");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            // History is a convenience: without a writable home it is simply not kept.
        }
        return dir.resolve("chat_history");
    }

    private static Terminal systemTerminal() {
        try {
            return TerminalBuilder.builder().system(true).name("glm4j").build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the terminal: " + e.getMessage(), e);
        }
    }
}
