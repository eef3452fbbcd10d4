package io.glm4j.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.glm4j.chat.ChatMessage;
import io.glm4j.chat.ChatRequest;
import io.glm4j.chat.ThinkingStart;
import io.glm4j.generate.AfterThinking;
import io.glm4j.generate.GenerationRequest;
import io.glm4j.generate.SamplingParams;
import io.glm4j.grammar.TokenConstraint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated {@code POST /v1/chat/completions} body: the conversation and tools the prompt is
 * rendered from, and how to generate the reply.
 *
 * @param toolCalls   whether tool calls are offered and parsed ({@code tool_choice} auto, the default, required or
 *                    a named function) or not (none)
 * @param topLogprobs alternatives per token; only used when {@code logprobs}
 * @param constraint  what the answer must follow ({@link StructuredOutput}), or null; it applies
 *                    after the reasoning block
 */
record ChatCompletionRequest(
        ChatRequest chat, boolean toolCalls, SamplingParams sampling, Integer maxTokens, List<String> stop,
        boolean ignoreEos, boolean logprobs, int topLogprobs, boolean stream, boolean includeUsage, TokenConstraint constraint) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    static ChatCompletionRequest parse(RequestFields f, ServedModel model) {
        List<ChatMessage> messages = messages(f.node("messages"), f.has("messages"));
        List<JsonNode> tools = tools(f.node("tools"));
        ToolChoice choice = toolChoice(f.node("tool_choice"));
        boolean toolCalls = choice != ToolChoice.NONE;
        Map<String, JsonNode> kwargs = templateKwargs(f.node("chat_template_kwargs"));
        if (f.has("n") && f.integer("n", 1L, 1, 1) != 1) throw ApiException.invalid("n", "'n' must be 1");
        List<StructuredOutput.Choice> constraints = new ArrayList<>();
        StructuredOutput.Choice format = StructuredOutput.fromFormatFields(f);
        if (format != null) constraints.add(format);
        if (choice.forced()) {
            if (tools == null || tools.isEmpty()) throw ApiException.invalid("tool_choice", "'tool_choice' forces a tool call, but the request has no 'tools'");
            constraints.add(StructuredOutput.toolCall(tools, choice.function, f.bool("parallel_tool_calls", true)));
        }
        TokenConstraint constraint = StructuredOutput.compile(StructuredOutput.single(constraints), model);
        boolean logprobs = f.bool("logprobs", false);
        int top = (int) (long) f.integer("top_logprobs", 0L, 0, 20);
        if (f.has("top_logprobs") && !logprobs) throw ApiException.invalid("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        boolean stream = f.bool("stream", false);
        boolean includeUsage = false;
        JsonNode options = f.node("stream_options");
        if (options != null) {
            if (!stream) throw ApiException.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true");
            if (!options.isObject()) throw ApiException.invalid("stream_options", "'stream_options' must be an object");
            includeUsage = new RequestFields((ObjectNode) options, "stream_options").bool("include_usage", false);
        }
        Integer maxTokens = f.has("max_completion_tokens") || f.has("max_tokens") ? SamplingFields.maxTokens(f, 0) : null;
        ChatRequest chat = new ChatRequest(messages, toolCalls ? tools : null, true, kwargs);
        return new ChatCompletionRequest(chat, toolCalls, SamplingFields.read(f, model.tokenizer().vocabularySize()), maxTokens,
                f.strings("stop", 16), f.bool("ignore_eos", false), logprobs, top, stream, includeUsage, constraint);
    }

    /**
     * What to generate after {@code prompt} (rendered as {@code promptText}): at most what the
     * request asks and the context leaves; a constraint starts after the reasoning block.
     */
    GenerationRequest generation(int[] prompt, String promptText, ServedModel model) {
        int room = model.contextSize() - prompt.length;
        int limit = maxTokens == null ? room : Math.min(maxTokens, room);
        TokenConstraint answer = constraint == null ? null : AfterThinking.of(constraint, ThinkingStart.fromPrompt(promptText), model.tokenizer());
        return new GenerationRequest(prompt, sampling, limit, stop, ignoreEos, logprobs ? Math.max(1, topLogprobs) : 0, answer);
    }

    private static List<ChatMessage> messages(JsonNode v, boolean present) {
        if (!present) throw ApiException.missing("messages");
        if (!v.isArray()) throw ApiException.invalid("messages", "'messages' must be an array of message objects");
        if (v.isEmpty()) throw ApiException.invalid("messages", "'messages' must hold at least one message");
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) out.add(message(v.get(i), "messages[" + i + "]"));
        return out;
    }

    private static ChatMessage message(JsonNode m, String at) {
        if (!m.isObject()) throw ApiException.invalid(at, "'" + at + "' must be an object");
        RequestFields f = new RequestFields((ObjectNode) m, at);
        String role = f.string("role", null);
        if (role == null) throw ApiException.missing(at + ".role");
        if (!ROLES.contains(role)) throw ApiException.invalid(at + ".role", "'" + at + ".role' must be one of system, user, assistant, tool; got '" + role + "'");
        JsonNode content = f.node("content");
        boolean hasToolCalls = f.has("tool_calls");
        if (content == null && !(role.equals("assistant"))) throw ApiException.missing(at + ".content");
        if (content != null) checkContent(content, at + ".content");
        if (hasToolCalls && !role.equals("assistant")) throw ApiException.invalid(at + ".tool_calls", "only assistant messages carry 'tool_calls'");
        if (hasToolCalls) checkToolCalls(f.node("tool_calls"), at + ".tool_calls");
        f.string("tool_call_id", null);
        f.string("name", null);
        f.string("reasoning_content", null);
        ObjectNode copy = ((ObjectNode) m).deepCopy();
        if (role.equals("developer")) copy.set("role", TextNode.valueOf("system"));
        try {
            return JSON.treeToValue(copy, ChatMessage.class);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(at, "'" + at + "' is not a valid message: " + e.getOriginalMessage());
        }
    }

    private static void checkContent(JsonNode content, String at) {
        if (content.isTextual()) return;
        if (!content.isArray()) throw ApiException.invalid(at, "'" + at + "' must be a string or an array of content parts");
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                throw ApiException.invalid(at + "[" + i + "]", "'" + at + "[" + i + "]' must be a text part {\"type\": \"text\", \"text\": ...}; other kinds of content are not supported");
            }
        }
    }

    private static void checkToolCalls(JsonNode calls, String at) {
        if (!calls.isArray()) throw ApiException.invalid(at, "'" + at + "' must be an array");
        for (int i = 0; i < calls.size(); i++) {
            String here = at + "[" + i + "]";
            JsonNode function = calls.get(i).path("function");
            if (!function.isObject() || !function.path("name").isTextual()) {
                throw ApiException.invalid(here + ".function", "'" + here + ".function' must be an object with a 'name'");
            }
            JsonNode args = function.path("arguments");
            if (!args.isMissingNode() && !args.isNull() && !args.isTextual() && !args.isObject()) {
                throw ApiException.invalid(here + ".function.arguments", "'" + here + ".function.arguments' must be a JSON string");
            }
        }
    }

    /** Tool definitions: each {@code {"type": "function", "function": {"name", "description"?, "parameters"?}}}. */
    private static List<JsonNode> tools(JsonNode v) {
        if (v == null) return null;
        if (!v.isArray()) throw ApiException.invalid("tools", "'tools' must be an array of tool definitions");
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            String at = "tools[" + i + "]";
            JsonNode tool = v.get(i);
            if (!tool.isObject() || !"function".equals(tool.path("type").asText())) {
                throw ApiException.invalid(at + ".type", "'" + at + "' must be an object with \"type\": \"function\"");
            }
            JsonNode function = tool.path("function");
            if (!function.isObject()) throw ApiException.invalid(at + ".function", "'" + at + ".function' must be an object");
            JsonNode name = function.path("name");
            if (!name.isTextual() || !FUNCTION_NAME.matcher(name.asText()).matches()) {
                throw ApiException.invalid(at + ".function.name", "'" + at + ".function.name' must be 1 to 64 letters, digits, '_' or '-'");
            }
            JsonNode description = function.path("description");
            if (!description.isMissingNode() && !description.isNull() && !description.isTextual()) {
                throw ApiException.invalid(at + ".function.description", "'" + at + ".function.description' must be a string");
            }
            JsonNode parameters = function.path("parameters");
            if (!parameters.isMissingNode() && !parameters.isNull()) checkSchema(parameters, at + ".function.parameters");
            out.add(tool);
        }
        return out;
    }

    private static void checkSchema(JsonNode schema, String at) {
        if (!schema.isObject()) throw ApiException.invalid(at, "'" + at + "' must be a JSON Schema object");
        JsonNode type = schema.path("type");
        if (!type.isMissingNode() && !"object".equals(type.asText())) {
            throw ApiException.invalid(at + ".type", "'" + at + "' must describe an object (\"type\": \"object\")");
        }
        JsonNode properties = schema.path("properties");
        if (!properties.isMissingNode()) {
            if (!properties.isObject()) throw ApiException.invalid(at + ".properties", "'" + at + ".properties' must be an object");
            for (Map.Entry<String, JsonNode> p : properties.properties()) {
                if (!p.getValue().isObject()) {
                    throw ApiException.invalid(at + ".properties." + p.getKey(), "'" + at + ".properties." + p.getKey() + "' must be a schema object");
                }
            }
        }
        JsonNode required = schema.path("required");
        if (!required.isMissingNode() && !required.isArray()) throw ApiException.invalid(at + ".required", "'" + at + ".required' must be an array");
    }

    /** {@code tool_choice}: auto (or absent), none, required, or one named function ({@code function} non-null). */
    private record ToolChoice(String mode, String function) {
        static final ToolChoice AUTO = new ToolChoice("auto", null);
        static final ToolChoice NONE = new ToolChoice("none", null);

        boolean forced() {
            return mode.equals("required") || function != null;
        }
    }

    private static ToolChoice toolChoice(JsonNode v) {
        if (v == null) return ToolChoice.AUTO;
        if (v.isTextual()) {
            return switch (v.asText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> new ToolChoice("required", null);
                default -> throw ApiException.invalid("tool_choice", "'tool_choice' must be \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}");
            };
        }
        JsonNode name = v.path("function").path("name");
        if (!v.isObject() || !"function".equals(v.path("type").asText()) || !name.isTextual()) {
            throw ApiException.invalid("tool_choice", "'tool_choice' must be \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}");
        }
        return new ToolChoice("function", name.asText());
    }

    private static Map<String, JsonNode> templateKwargs(JsonNode v) {
        if (v == null) return null;
        if (!v.isObject()) throw ApiException.invalid("chat_template_kwargs", "'chat_template_kwargs' must be an object");
        JsonNode thinking = v.get("enable_thinking");
        if (thinking != null && !thinking.isBoolean()) {
            throw ApiException.invalid("chat_template_kwargs.enable_thinking", "'chat_template_kwargs.enable_thinking' must be a boolean");
        }
        Map<String, JsonNode> out = new HashMap<>();
        v.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
