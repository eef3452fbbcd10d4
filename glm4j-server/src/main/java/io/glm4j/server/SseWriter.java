package io.glm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events as OpenAI streams them: one {@code data: JSON} event per chunk, flushed at
 * once, and {@code data: [DONE]} at the end. A failed write means the client has gone.
 */
final class SseWriter {
    /** The client closed the connection. */
    static final class ClientGone extends Exception {
        ClientGone(IOException cause) {
            super(cause);
        }
    }

    private final OutputStream out;

    SseWriter(HttpServletResponse response) throws ClientGone {
        response.setStatus(200);
        response.setContentType("text/event-stream; charset=utf-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        try {
            this.out = response.getOutputStream();
            out.flush();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    void send(JsonNode event) throws ClientGone {
        write("data: " + OpenAiJson.write(event) + "\n\n");
    }

    /** Sends a last event if the client is still there. */
    void sendQuietly(JsonNode event) {
        try {
            send(event);
        } catch (ClientGone ignored) {
            // nobody left to tell
        }
    }

    void done() throws ClientGone {
        write("data: [DONE]\n\n");
    }

    private void write(String text) throws ClientGone {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }
}
