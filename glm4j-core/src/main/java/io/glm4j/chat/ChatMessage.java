package io.glm4j.chat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;

/**
 * One message of an OpenAI / vLLM style chat request.
 *
 * @param role             system, user, assistant or tool (a template ignores roles it does not know)
 * @param content          a string, a list of content parts ({@code {"type": "text", "text": ...}}),
 *                         or null / absent (rendered as an empty string)
 * @param reasoningContent an assistant's earlier reasoning, sent back in tool loops
 * @param toolCalls        an assistant's calls; each {@code function.arguments} an object or a JSON string
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatMessage(
        String role,
        JsonNode content,
        @JsonProperty("reasoning_content") String reasoningContent,
        @JsonProperty("tool_calls") List<ToolCall> toolCalls,
        @JsonProperty("tool_call_id") String toolCallId,
        String name) {

    /** One entry of an assistant's {@code tool_calls}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ToolCall(String id, String type, FunctionCall function) {
        public static ToolCall of(FunctionCall function) {
            return new ToolCall(null, "function", function);
        }
    }

    public static ChatMessage system(String text) {
        return new ChatMessage("system", TextNode.valueOf(text), null, null, null, null);
    }

    public static ChatMessage user(String text) {
        return new ChatMessage("user", TextNode.valueOf(text), null, null, null, null);
    }

    public static ChatMessage assistant(String text) {
        return new ChatMessage("assistant", TextNode.valueOf(text), null, null, null, null);
    }

    public static ChatMessage tool(String text) {
        return new ChatMessage("tool", TextNode.valueOf(text), null, null, null, null);
    }
}
