package io.glm4j.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import io.glm4j.Glm4jException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * A model's chat template, rendered the way Hugging Face's {@code apply_chat_template} renders it
 * with jinja2: byte for byte the prompt the model was trained on.
 *
 * <p>Rendering runs on jinjava, adjusted where jinja2 (and so the template's author) behaves
 * differently: whitespace control is applied by {@link Jinja2Whitespace} before jinjava sees the
 * template, Python's {@code str} methods are answered by {@link PythonMethodResolver},
 * {@code tojson} is Python's {@code json.dumps}, {@code is iterable} holds for strings and
 * mappings, printed values look like Python's, and values are never re-rendered as templates.
 */
public final class ChatTemplate {
    private static final String BUILT_IN = "glm45_chat_template.jinja";

    private final String source;
    private final String prepared;
    private final Jinjava jinjava;

    /**
     * @param template the model's template (from GGUF {@code tokenizer.chat_template} or HF
     *                 {@code chat_template.jinja}); null to use the built-in GLM-4.5 template
     */
    public ChatTemplate(String template) {
        this.source = template != null ? template : builtIn();
        try {
            this.prepared = Jinja2Whitespace.apply(source);
        } catch (IllegalArgumentException e) {
            throw new Glm4jException("chat template cannot be parsed: " + e.getMessage());
        }
        this.jinjava = newJinjava();
    }

    /** GLM-4.5's own template (shared by GLM-4.5 and GLM-4.5-Air). */
    public static ChatTemplate glm45() {
        return new ChatTemplate(null);
    }

    /** The template text this renders. */
    public String source() {
        return source;
    }

    /** The prompt text for a request, exactly as the template produces it, with nothing added. */
    public String render(ChatRequest request) {
        return render(TemplateVariables.of(request));
    }

    String render(Map<String, Object> variables) {
        RenderResult result = jinjava.renderForResult(prepared, variables);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new Glm4jException("chat template failed at line " + error.getLineno() + ": " + error.getMessage());
            }
        }
        return result.getOutput();
    }

    private static Jinjava newJinjava() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethodResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(false)
                .withLstripBlocks(false)
                .withNestedInterpretationEnabled(false)
                .withElResolver(resolver)
                .withInterperterFactory(new PythonOutputInterpreter.Factory())
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.registerFilter(new ToJsonFilter());
        jinjava.registerExpTest(new IterableTest());
        return jinjava;
    }

    private static String builtIn() {
        try (InputStream in = ChatTemplate.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("built-in chat template missing: " + BUILT_IN);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
