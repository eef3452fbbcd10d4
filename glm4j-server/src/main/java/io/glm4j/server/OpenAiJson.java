package io.glm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.glm4j.generate.FinishReason;
import io.glm4j.generate.Generator;
import java.security.SecureRandom;

/** The JSON shapes of OpenAI's API that more than one endpoint writes. */
final class OpenAiJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private OpenAiJson() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** A fresh id such as {@code chatcmpl-…} or {@code call_…}. */
    static String id(String prefix) {
        char[] s = new char[24];
        for (int i = 0; i < s.length; i++) s[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        return prefix + new String(s);
    }

    /** The head every completion object and chunk starts with. */
    static ObjectNode head(String id, String object, long created, String model) {
        ObjectNode o = object();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", model);
        return o;
    }

    /** OpenAI's finish_reason for how generation ended. */
    static String finishReason(FinishReason reason, boolean toolCalls) {
        return switch (reason) {
            case STOP, CANCELLED -> toolCalls ? "tool_calls" : "stop";
            case LENGTH, CONTEXT_FULL -> "length";
        };
    }

    static ObjectNode usage(Generator.Result result, int reasoningTokens) {
        ObjectNode usage = object();
        usage.put("prompt_tokens", result.promptTokens());
        usage.put("completion_tokens", result.tokens().length);
        usage.put("total_tokens", result.promptTokens() + result.tokens().length);
        usage.putObject("prompt_tokens_details").put("cached_tokens", result.reusedTokens());
        if (reasoningTokens >= 0) usage.putObject("completion_tokens_details").put("reasoning_tokens", reasoningTokens);
        Generator.Speculation s = result.speculation();
        if (s.drafted() > 0) { // glm4j extension: MTP speculative decoding statistics of this request
            usage.putObject("speculation")
                    .put("drafted_tokens", s.drafted())
                    .put("accepted_tokens", s.accepted())
                    .put("acceptance_rate", s.acceptanceRate())
                    .put("mean_accepted_length", s.meanAcceptedLength());
        }
        return usage;
    }

    static String write(JsonNode node) {
        return node.toString();
    }
}
