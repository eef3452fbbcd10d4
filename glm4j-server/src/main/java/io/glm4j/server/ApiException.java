package io.glm4j.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the server refuses, with the HTTP status and the fields of OpenAI's error body
 * {@code {"error": {"message", "type", "param", "code"}}}.
 */
final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    ApiException(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: the request is wrong in a way the client can fix; {@code param} names the field. */
    static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, param == null ? null : "invalid_value", message);
    }

    static ApiException missing(String param) {
        return new ApiException(400, "invalid_request_error", param, "missing_required_parameter",
                "you must provide '" + param + "'");
    }

    int status() {
        return status;
    }

    ObjectNode body() {
        return body(getMessage(), type, param, code);
    }

    static ObjectNode body(String message, String type, String param, String code) {
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("error", error);
        return body;
    }
}
