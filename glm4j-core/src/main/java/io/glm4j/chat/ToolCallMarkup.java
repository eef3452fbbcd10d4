package io.glm4j.chat;

import static io.glm4j.chat.Glm45Markup.ARG_KEY_CLOSE;
import static io.glm4j.chat.Glm45Markup.ARG_KEY_OPEN;
import static io.glm4j.chat.Glm45Markup.ARG_VALUE_CLOSE;
import static io.glm4j.chat.Glm45Markup.ARG_VALUE_OPEN;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Reads the inside of one {@code <tool_call>…</tool_call>} block:
 * <pre>NAME\n&lt;arg_key&gt;K&lt;/arg_key&gt;\n&lt;arg_value&gt;V&lt;/arg_value&gt;\n…</pre>
 * The name ends at the first newline or {@code <arg_key>} (GLM-4.7 writes no newline), and
 * whitespace, including a literal backslash-n that models sometimes write, may separate the
 * pairs. Keys and values are stripped, as vLLM does. Anything else in the block makes it
 * malformed: the caller then keeps the block as text.
 */
final class ToolCallMarkup {
    private final ArgumentTypes types;

    ToolCallMarkup(ArgumentTypes types) {
        this.types = types;
    }

    Optional<FunctionCall> parse(String body) {
        int nameEnd = firstOf(body, 0, "\n", "\\n", ARG_KEY_OPEN);
        String name = PythonStrings.strip(body.substring(0, nameEnd), null);
        if (name.isEmpty() || name.contains("<")) {
            return Optional.empty();
        }
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        int at = skipSeparators(body, nameEnd);
        while (at < body.length()) {
            if (!body.startsWith(ARG_KEY_OPEN, at)) {
                return Optional.empty();
            }
            int keyEnd = body.indexOf(ARG_KEY_CLOSE, at);
            if (keyEnd < 0) {
                return Optional.empty();
            }
            String key = PythonStrings.strip(body.substring(at + ARG_KEY_OPEN.length(), keyEnd), null);
            if (key.isEmpty()) {
                return Optional.empty();
            }
            at = skipSeparators(body, keyEnd + ARG_KEY_CLOSE.length());
            if (!body.startsWith(ARG_VALUE_OPEN, at)) {
                return Optional.empty();
            }
            int valueEnd = body.indexOf(ARG_VALUE_CLOSE, at);
            if (valueEnd < 0) {
                return Optional.empty();
            }
            String raw = PythonStrings.strip(body.substring(at + ARG_VALUE_OPEN.length(), valueEnd), null);
            arguments.set(key, types.value(name, key, raw));
            at = skipSeparators(body, valueEnd + ARG_VALUE_CLOSE.length());
        }
        return Optional.of(new FunctionCall(name, arguments));
    }

    private static int firstOf(String s, int from, String... needles) {
        int first = s.length();
        for (String needle : needles) {
            int at = s.indexOf(needle, from);
            if (at >= 0 && at < first) {
                first = at;
            }
        }
        return first;
    }

    private static int skipSeparators(String s, int at) {
        while (at < s.length()) {
            if (s.startsWith("\\n", at)) {
                at += 2;
            } else if (PythonStrings.isSpace(s.codePointAt(at))) {
                at += Character.charCount(s.codePointAt(at));
            } else {
                break;
            }
        }
        return at;
    }
}
