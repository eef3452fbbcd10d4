package io.glm4j.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;

/**
 * A jinjava interpreter that prints {@code {{ x }}} as Python's {@code str(x)} does: {@code True},
 * {@code {'a': 1}}, {@code 1e-05}, where jinjava would print {@code true}, {@code {a=1}}, {@code 1.0E-5}.
 */
final class PythonOutputInterpreter extends JinjavaInterpreter {
    PythonOutputInterpreter(Jinjava application, Context context, JinjavaConfig config) {
        super(application, context, config);
    }

    PythonOutputInterpreter(JinjavaInterpreter parent) {
        super(parent);
    }

    @Override
    public String getAsString(Object object) {
        return PythonValues.str(object);
    }

    static final class Factory implements InterpreterFactory {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter parent) {
            return new PythonOutputInterpreter(parent);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig config) {
            return new PythonOutputInterpreter(application, context, config);
        }
    }
}
