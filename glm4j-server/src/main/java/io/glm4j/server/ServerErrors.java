package io.glm4j.server;

import io.glm4j.Glm4jException;
import io.glm4j.generate.Scheduler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Every failure as an OpenAI error: the client's own mistakes as 4xx, a full server as 503, bugs as 500. */
final class ServerErrors {
    private static final Logger LOG = Logger.getLogger(ServerErrors.class.getName());

    private ServerErrors() {}

    static ApiException of(Throwable e) {
        return switch (e) {
            case ApiException api -> api;
            case Scheduler.Busy busy -> new ApiException(503, "server_error", null, "server_busy",
                    "the server is busy: " + busy.getMessage() + "; retry later");
            case Glm4jException user -> ApiException.invalid(null, user.getMessage());
            default -> {
                LOG.log(Level.SEVERE, "internal error", e);
                yield new ApiException(500, "server_error", null, "internal_error",
                        "internal error (" + e.getClass().getSimpleName() + ")");
            }
        };
    }
}
