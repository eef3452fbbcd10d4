package io.glm4j.tokenizer;

import io.glm4j.Glm4jException;

/** What a token is, with the codes of GGUF's {@code tokenizer.ggml.token_type} array. */
public enum TokenType {
    /** A regular vocabulary entry, spelled byte-level. */
    NORMAL(1),
    UNKNOWN(2),
    /** A special token (role markers, end of text): matched in text only when special parsing is on. */
    CONTROL(3),
    /** An added token matched in text always ({@code <think>}, {@code <tool_call>}, ...). */
    USER_DEFINED(4),
    /** A placeholder id with no token ({@code [PAD151365]}); never produced, decodes to nothing. */
    UNUSED(5),
    BYTE(6);

    private final int ggufCode;

    TokenType(int ggufCode) {
        this.ggufCode = ggufCode;
    }

    public int ggufCode() {
        return ggufCode;
    }

    public static TokenType fromGgufCode(int code) {
        for (TokenType type : values()) {
            if (type.ggufCode == code) {
                return type;
            }
        }
        throw new Glm4jException("unknown GGUF token type " + code);
    }

    /** Whether the token is matched as a whole in input text instead of going through BPE. */
    boolean isAddedToken() {
        return this == CONTROL || this == USER_DEFINED || this == UNKNOWN;
    }
}
