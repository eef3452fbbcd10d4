package io.glm4j.tensor;

import io.glm4j.Glm4jException;

/**
 * The ggml tensor element types glm4j knows, with their GGUF type ids and block layouts.
 * A row of {@code n} elements of a block type occupies {@code n / blockSize * blockBytes} bytes.
 * Every type a GGUF file may hold is listed, so that any file can be opened and described (plus
 * {@link #F8_E4M3}, which only Hugging Face checkpoints hold);
 * which types can be computed with is {@link RowKernel#of}'s business.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66),
    IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 56),
    BF16(30, 1, 2),
    TQ1_0(34, 256, 54),
    TQ2_0(35, 256, 66),
    MXFP4(39, 32, 17),
    /**
     * Not a GGUF type (its id is −1): float8 e4m3fn as Hugging Face FP8 checkpoints store weights,
     * only ever a view into a safetensors file, always with a {@link WeightScales scale} beside it.
     */
    F8_E4M3(-1, 1, 1);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) if (t.id >= 0) BY_ID[t.id] = t;
    }

    public final int id;
    public final int blockSize;
    public final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** The type with this GGUF id, or a {@link Glm4jException} naming the unknown id. */
    public static GgmlType fromId(int id) {
        GgmlType t = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        if (t == null) throw new Glm4jException("unknown tensor type id " + id);
        return t;
    }

    /** Bytes taken by {@code elements} values; the count must be a whole number of blocks. */
    public long bytesFor(long elements) {
        if (elements % blockSize != 0) {
            throw new Glm4jException(elements + " elements is not a whole number of " + this + " blocks of " + blockSize);
        }
        return elements / blockSize * blockBytes;
    }
}
