package io.glm4j.chat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glm4j.Glm4jException;
import java.util.List;
import java.util.Map;

/**
 * The part of an OpenAI / vLLM chat-completions request body that shapes the prompt. Parse a
 * body with {@link #fromJson}; fields the prompt does not depend on (model, temperature, ...)
 * are ignored here.
 *
 * @param messages            the conversation
 * @param tools               tool definitions ({@code {"type": "function", "function": {...}}}), kept
 *                            verbatim: the template prints them as JSON, key order included
 * @param addGenerationPrompt whether to end with the assistant's turn opener; null means true
 * @param chatTemplateKwargs  extra template variables, e.g. {@code {"enable_thinking": false}}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatRequest(
        List<ChatMessage> messages,
        List<JsonNode> tools,
        @JsonProperty("add_generation_prompt") Boolean addGenerationPrompt,
        @JsonProperty("chat_template_kwargs") Map<String, JsonNode> chatTemplateKwargs) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ChatRequest {
        messages = messages == null ? List.of() : messages;
        chatTemplateKwargs = chatTemplateKwargs == null ? Map.of() : chatTemplateKwargs;
    }

    public static ChatRequest of(List<ChatMessage> messages) {
        return new ChatRequest(messages, null, null, null);
    }

    /** Reads a request body; a body that is not a JSON object of the expected shape is refused. */
    public static ChatRequest fromJson(String body) {
        try {
            return JSON.readValue(body, ChatRequest.class);
        } catch (JacksonException e) {
            throw new Glm4jException("invalid chat request: " + e.getOriginalMessage());
        }
    }

    public boolean addsGenerationPrompt() {
        return addGenerationPrompt == null || addGenerationPrompt;
    }
}
