package io.glm4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.List;
import java.util.Map;

/**
 * The {@code tojson} filter as Hugging Face defines it for chat templates:
 * {@code tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)} is
 * {@code json.dumps} with those arguments, with no HTML escaping (jinja2's own filter escapes
 * {@code <>&'}, jinjava's writes compact JSON; neither is what GLM was trained on).
 */
final class ToJsonFilter implements Filter {
    private static final List<String> PARAMETERS = List.of("ensure_ascii", "indent", "separators", "sort_keys");

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object[] bound = new Object[PARAMETERS.size()];
        System.arraycopy(args, 0, bound, 0, Math.min(args.length, bound.length));
        kwargs.forEach((name, value) -> {
            int at = PARAMETERS.indexOf(name);
            if (at < 0) {
                throw new IllegalArgumentException("tojson() got an unexpected keyword argument '" + name + "'");
            }
            bound[at] = value;
        });
        PythonJson json = new PythonJson(
                Boolean.TRUE.equals(bound[0]), indent(bound[1]), separators(bound[2]), Boolean.TRUE.equals(bound[3]));
        return json.write(var);
    }

    private static String indent(Object indent) {
        return switch (indent) {
            case null -> null;
            case Number n -> " ".repeat(Math.max(0, n.intValue()));
            default -> indent.toString();
        };
    }

    private static List<String> separators(Object separators) {
        if (separators instanceof List<?> pair && pair.size() == 2) {
            return List.of(String.valueOf(pair.get(0)), String.valueOf(pair.get(1)));
        }
        return null;
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, args, Map.of());
    }
}
