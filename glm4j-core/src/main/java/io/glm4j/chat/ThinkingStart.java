package io.glm4j.chat;

/**
 * Where the model's output starts relative to the think block, read off the rendered prompt:
 * GLM's default generation prompt ends in a bare {@code <|assistant|>} and the model opens
 * {@code <think>} itself; with {@code enable_thinking=false} the prompt already holds an empty
 * {@code <think></think>}; some templates end the prompt inside an open {@code <think>}.
 */
public enum ThinkingStart {
    /** The model may open a think block first; otherwise the output is all answer. */
    AWAITING,
    /** The prompt opened the think block: output is reasoning until {@code </think>}. */
    OPEN,
    /** The prompt opened and closed the think block: output is all answer. */
    CLOSED;

    private static final String ASSISTANT = "<|assistant|>";

    /** Reads the state from the tail of the prompt after its last assistant turn opener. */
    public static ThinkingStart fromPrompt(String prompt) {
        String tail = prompt.substring(Math.max(0, prompt.lastIndexOf(ASSISTANT)));
        int open = tail.lastIndexOf(Glm45Markup.THINK_OPEN);
        int close = tail.lastIndexOf(Glm45Markup.THINK_CLOSE);
        if (open < 0 && close < 0) {
            return AWAITING;
        }
        return close > open ? CLOSED : OPEN;
    }
}
