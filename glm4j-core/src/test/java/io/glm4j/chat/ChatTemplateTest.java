package io.glm4j.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.glm4j.Glm4jException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Renders are compared byte for byte with Python jinja2 as Hugging Face configures it: the
 * shared chat_examples.json, a held-out set of requests, and small templates for the jinja2
 * behaviour chat templates rely on. The held-out files are written by generate_jinja2_references.py
 * beside them.
 */
class ChatTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REFERENCE = Path.of("../shared/reference/glm45");
    private static final ChatTemplate GLM45 = ChatTemplate.glm45();

    @Test
    void rendersARequestBody() {
        ChatRequest request = ChatRequest.fromJson("""
                {"model": "glm-4.5-air", "temperature": 0.6,
                 "messages": [{"role": "system", "content": "You are a helpful assistant."},
                              {"role": "user", "content": "Hello, how are you?"}],
                 "chat_template_kwargs": {"enable_thinking": false}}""");

        assertThat(GLM45.render(request)).isEqualTo("[gMASK]<sop><|system|>\nYou are a helpful assistant."
                + "<|user|>\nHello, how are you?/nothink<|assistant|>\n<think></think>");
    }

    @Test
    void builtInTemplateIsGlm45sOwn() throws IOException {
        assertThat(GLM45.source()).isEqualTo(Files.readString(REFERENCE.resolve("chat_template.jinja")));
        assertThat(new ChatTemplate("{{ messages[0].content }}!").render(ChatRequest.of(List.of(ChatMessage.user("hi")))))
                .isEqualTo("hi!");
    }

    @TestFactory
    Stream<DynamicTest> reproducesSharedChatExamples() throws IOException {
        JsonNode examples = JSON.readTree(REFERENCE.resolve("chat_examples.json").toFile());
        return elements(examples).map(example -> DynamicTest.dynamicTest(example.get("name").asText(), () -> {
            ChatRequest request = JSON.treeToValue(requestFromInputs(example.get("inputs")), ChatRequest.class);
            assertThat(GLM45.render(request)).isEqualTo(example.get("rendered").asText());
        }));
    }

    /** chat_examples.json passes template kwargs (enable_thinking) beside messages; a request nests them. */
    private static ObjectNode requestFromInputs(JsonNode inputs) {
        ObjectNode request = JSON.createObjectNode();
        ObjectNode kwargs = request.putObject("chat_template_kwargs");
        inputs.properties().forEach(field -> {
            switch (field.getKey()) {
                case "messages", "tools", "add_generation_prompt" -> request.set(field.getKey(), field.getValue());
                default -> kwargs.set(field.getKey(), field.getValue());
            }
        });
        return request;
    }

    @TestFactory
    Stream<DynamicTest> reproducesHeldOutJinja2Renders() throws IOException {
        List<JsonNode> cases = elements(resource("heldout_renders.json")).toList();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(30);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            ChatRequest request = ChatRequest.fromJson(c.get("request").toString());
            assertThat(GLM45.render(request)).isEqualTo(c.get("rendered").asText());
        }));
    }

    @TestFactory
    Stream<DynamicTest> behavesLikeJinja2OnSmallTemplates() throws IOException {
        return elements(resource("jinja2_cases.json")).map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> variables = (Map<String, Object>) TemplateVariables.plain(c.get("variables"));
            assertThat(new ChatTemplate(c.get("template").asText()).render(variables))
                    .isEqualTo(c.get("rendered").asText());
        }));
    }

    @Test
    void valuesAreNeverRenderedAsTemplates() {
        ChatRequest request = ChatRequest.of(List.of(ChatMessage.user("{{ 7 * 7 }}{% raw %}")));
        assertThat(GLM45.render(request)).contains("<|user|>\n{{ 7 * 7 }}{% raw %}<|assistant|>");
    }

    @Test
    void templateErrorsBecomeOneLineGlm4jExceptions() {
        ChatRequest request = ChatRequest.of(List.of(ChatMessage.user("x")));
        assertThatThrownBy(() -> new ChatTemplate("{{ messages[0].content.split('') }}").render(request))
                .isInstanceOf(Glm4jException.class)
                .hasMessageContaining("empty separator");
        assertThatThrownBy(() -> new ChatTemplate("{# never closed").render(request))
                .isInstanceOf(Glm4jException.class)
                .hasMessageContaining("comment");
        assertThatThrownBy(() -> ChatRequest.fromJson("{\"messages\": 3"))
                .isInstanceOf(Glm4jException.class);
    }

    private static JsonNode resource(String name) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream(name)) {
            return JSON.readTree(in);
        }
    }

    private static Stream<JsonNode> elements(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }
}
