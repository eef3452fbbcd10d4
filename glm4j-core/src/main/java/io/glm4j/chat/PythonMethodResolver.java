package io.glm4j.chat;

import com.hubspot.jinjava.objects.SafeString;
import java.beans.FeatureDescriptor;
import java.util.Iterator;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;
import jinjava.javax.el.ELResolver;

/**
 * Answers Python {@code str} method calls in template expressions ({@code content.endswith("x")},
 * {@code text.split('</think>')[-1]}, {@code s.strip()}) with Python's semantics. It sits first in
 * jinjava's resolver chain and resolves only those calls; everything else falls through to
 * jinjava (which already gives mappings {@code items()}, {@code keys()} and {@code get()}).
 */
final class PythonMethodResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String || base instanceof SafeString) || method == null) {
            return null;
        }
        Object result;
        try {
            result = call(base.toString(), method.toString(), params == null ? new Object[0] : params);
        } catch (IllegalArgumentException e) {
            // jinjava swallows IllegalArgumentException from a call; a Python error must stop the render.
            throw new ELException(method + ": " + e.getMessage());
        }
        if (result != null) {
            context.setPropertyResolved(true);
        }
        return result;
    }

    private static Object call(String s, String method, Object[] args) {
        return switch (method) {
            case "strip" -> PythonStrings.strip(s, chars(args));
            case "lstrip" -> PythonStrings.lstrip(s, chars(args));
            case "rstrip" -> PythonStrings.rstrip(s, chars(args));
            case "split" -> PythonStrings.split(s, chars(args), maxsplit(args));
            case "rsplit" -> PythonStrings.rsplit(s, chars(args), maxsplit(args));
            case "startswith" -> PythonStrings.startsWith(s, required(args, "startswith"));
            case "endswith" -> PythonStrings.endsWith(s, required(args, "endswith"));
            case "upper" -> PythonStrings.upper(s);
            case "lower" -> PythonStrings.lower(s);
            default -> null;
        };
    }

    /** The first argument as a string: strip's character set or split's separator; null when absent or None. */
    private static String chars(Object[] args) {
        return args.length > 0 && args[0] != null ? args[0].toString() : null;
    }

    private static int maxsplit(Object[] args) {
        return args.length > 1 && args[1] instanceof Number n ? n.intValue() : -1;
    }

    private static Object required(Object[] args, String method) {
        if (args.length == 0) {
            throw new IllegalArgumentException(method + "() takes at least 1 argument (0 given)");
        }
        return args[0];
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
