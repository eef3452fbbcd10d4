package io.glm4j.server;

/**
 * How the server listens.
 *
 * @param host         address to bind (loopback by default: the API has no TLS)
 * @param port         TCP port; 0 picks a free one
 * @param apiKey       when set, {@code /v1/*} requests need {@code Authorization: Bearer KEY}
 * @param maxBodyBytes larger request bodies are refused with 413
 */
public record ServerOptions(String host, int port, String apiKey, int maxBodyBytes) {
    public static final int DEFAULT_MAX_BODY_BYTES = 8 << 20;

    public ServerOptions {
        if (port < 0 || port > 65535) throw new io.glm4j.Glm4jException("--port must be in 0..65535, got " + port);
        if (apiKey != null && apiKey.isBlank()) apiKey = null;
    }

    /** Loopback on the given port, no key, the default body limit. */
    public static ServerOptions loopback(int port) {
        return new ServerOptions("127.0.0.1", port, null, DEFAULT_MAX_BODY_BYTES);
    }

    public ServerOptions withApiKey(String key) {
        return new ServerOptions(host, port, key, maxBodyBytes);
    }

    public ServerOptions withMaxBodyBytes(int bytes) {
        return new ServerOptions(host, port, apiKey, bytes);
    }
}
