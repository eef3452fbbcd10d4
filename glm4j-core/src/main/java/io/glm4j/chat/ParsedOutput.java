package io.glm4j.chat;

import java.util.ArrayList;
import java.util.List;

/** A whole reply as an assistant message: reasoning, content and tool calls, each possibly empty. */
public record ParsedOutput(String reasoning, String content, List<FunctionCall> toolCalls) {

    public static ParsedOutput of(List<OutputEvent> events) {
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        List<FunctionCall> calls = new ArrayList<>();
        for (OutputEvent event : events) {
            switch (event) {
                case OutputEvent.ReasoningDelta r -> reasoning.append(r.text());
                case OutputEvent.ContentDelta c -> content.append(c.text());
                case OutputEvent.ToolCallComplete t -> calls.add(t.call());
            }
        }
        return new ParsedOutput(reasoning.toString(), content.toString(), List.copyOf(calls));
    }
}
