package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The chat loop on an in-memory terminal: commands, multi-line input, Ctrl-C stopping an answer. */
class ChatCommandTest {
    static final String MODEL = "../shared/fixtures/glm45/tiny-glm45air-F32.gguf";
    // Never end the turn, so an answer runs until it is stopped.
    static final String[] NO_EOG = {"-l", "568-inf", "-l", "575-inf", "-l", "577-inf"};

    final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    final Keyboard keyboard = new Keyboard();
    Terminal terminal;

    /** Typed bytes, handed to the terminal as they come; it never reports end of input (unlike a pipe whose writer thread is gone). */
    static final class Keyboard extends InputStream {
        private final BlockingQueue<Integer> keys = new LinkedBlockingQueue<>();

        void type(byte[] bytes) {
            for (byte b : bytes) keys.add(b & 0xFF);
        }

        @Override
        public int read() throws IOException {
            try {
                return keys.take();
            } catch (InterruptedException e) {
                throw new InterruptedIOException();
            }
        }

        @Override
        public int available() {
            return keys.size();
        }
    }

    ChatCommandTest() throws IOException {
        terminal = TerminalBuilder.builder().system(false).dumb(true).streams(keyboard, screen).encoding(StandardCharsets.UTF_8).build();
        ChatCommand.terminals = () -> terminal;
        System.setProperty("user.home", System.getProperty("java.io.tmpdir"));
    }

    @AfterEach
    void restore() {
        ChatCommand.terminals = null;
    }

    void type(String text) {
        keyboard.type(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Types a line and waits for the next prompt, as a person does (typed all at once, lines were
     * once lost in a full, loaded build). Each prompt starts by switching bracketed paste on.
     */
    void typeLine(String line) throws InterruptedException {
        int prompts = prompts();
        type(line + "\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && prompts() <= prompts) Thread.sleep(20);
    }

    private int prompts() {
        return screen().split("\u001b\\[\\?2004h", -1).length - 1;
    }

    String screen() {
        return screen.toString(StandardCharsets.UTF_8);
    }

    /** Waits until the chat has opened its model and shows its prompt, as a person would before typing. */
    void awaitBanner() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !screen().contains("for commands")) Thread.sleep(20);
        Thread.sleep(200);
    }

    CompletableFuture<CliRunner> start(String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "chat";
        args[1] = "-m";
        args[2] = MODEL;
        args[3] = "--seed=1";
        System.arraycopy(extra, 0, args, 4, extra.length);
        // A fresh thread each time: a pooled one may carry an interrupt from an earlier test, which ends input.
        return CompletableFuture.supplyAsync(() -> CliRunner.run(args), task -> Thread.ofPlatform().start(task));
    }

    @Test
    void commandsAnswersAndExit() throws Exception {
        CompletableFuture<CliRunner> chat = start("-n", "5");
        awaitBanner();
        for (String line : new String[] {"hello", "/nothink", "/reset", "/help"}) typeLine(line);
        type("/exit\n");
        CliRunner r = chat.get(60, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(screen())
                .contains("glm4j chat with tiny-glm45air-F32.gguf")
                .contains("(reasoning off)")
                .contains("(new conversation)")
                .contains("/think, /nothink");
    }

    @Test
    void ctrlCStopsTheAnswerButNotTheProgram() throws Exception {
        String[] extra = new String[NO_EOG.length + 2];
        System.arraycopy(NO_EOG, 0, extra, 0, NO_EOG.length);
        extra[NO_EOG.length] = "-n";
        extra[NO_EOG.length + 1] = "100000";
        CompletableFuture<CliRunner> chat = start(extra);
        type("tell me everything\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !screen().contains("for commands")) Thread.sleep(50);
        int banner = screen().length();
        while (System.nanoTime() < deadline && screen().length() < banner + 200) Thread.sleep(50); // the answer is streaming
        terminal.raise(Terminal.Signal.INT);
        Thread.sleep(300);
        type("/exit\n");
        CliRunner r = chat.get(60, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(screen()).contains("(stopped)");
    }

    @Test
    void aTrailingBackslashContinuesTheMessage() {
        type("first \\\nsecond C:\\path\n");
        LineReader reader = LineReaderBuilder.builder().terminal(terminal).parser(ChatCommand.plainParser()).build();
        assertThat(ChatCommand.readMessage(reader)).isEqualTo("first \nsecond C:\\path");
    }
}
