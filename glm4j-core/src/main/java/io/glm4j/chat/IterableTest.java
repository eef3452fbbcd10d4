package io.glm4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.objects.SafeString;
import java.util.Map;

/** jinja2's {@code is iterable}: true for strings and mappings too (jinjava says false for both). */
final class IterableTest implements ExpTest {
    @Override
    public String getName() {
        return "iterable";
    }

    @Override
    public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
        return var instanceof Iterable<?> || var instanceof Map<?, ?> || var instanceof CharSequence
                || var instanceof SafeString || (var != null && var.getClass().isArray());
    }
}
