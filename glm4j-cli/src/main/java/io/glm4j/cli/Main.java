package io.glm4j.cli;

import io.glm4j.Glm4jException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code glm4j} command: one subcommand per task, user errors as one line and a non-zero exit. */
@Command(
        name = "glm4j",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Runs GLM-4.5 family models (GGUF files or Hugging Face checkpoints) on the CPU.",
        subcommands = {
            InfoCommand.class,
            LogitsCommand.class,
            TokenizeCommand.class,
            DetokenizeCommand.class,
            RenderCommand.class,
            GenerateCommand.class,
            ChatCommand.class,
            ServeCommand.class,
            SynthCommand.class,
            ConvertCommand.class,
            QuantizeCommand.class,
            MemCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {

    public static void main(String[] args) {
        // Always UTF-8: prompts and token text must come out byte for byte whatever the locale.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        int code = run(args, out, err);
        out.flush();
        System.exit(code);
    }

    /** Runs the CLI with the given streams and returns the exit code (tests call this). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + describe(e));
            commandLine.getErr().flush();
            return 1;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) { // picocli hands only exceptions to the handler above
            err.println("error: " + describe(e));
            err.flush();
            return 1;
        }
    }

    /** A one-line message for the user; never a stack trace. */
    static String describe(Throwable e) {
        if (e instanceof Glm4jException) return e.getMessage();
        if (e instanceof OutOfMemoryError) {
            String limit = String.valueOf(e.getMessage()).contains("direct buffer memory")
                    ? "-XX:MaxDirectMemorySize, which holds the KV cache" : "-Xmx";
            return "out of memory: " + e.getMessage() + " (try a smaller --ctx or --parallel, or a larger " + limit + ")";
        }
        if (e instanceof java.io.UncheckedIOException || e instanceof java.io.IOException) return e.getMessage();
        return "internal error (" + e.getClass().getSimpleName() + "): " + e.getMessage();
    }
}
