package io.glm4j.model;

import io.glm4j.Glm4jException;
import io.glm4j.tensor.GgmlType;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The llama.cpp file types ({@code llama_ftype}, stored as {@code general.file_type}) whose tensor
 * mix {@link QuantMix} knows: the name people use for a GGUF ("Q4_K_M"), its id, and the storage type
 * most of its matrices get.
 */
public enum FileType {
    F32(0, GgmlType.F32),
    F16(1, GgmlType.F16),
    Q4_0(2, GgmlType.Q4_0),
    Q4_1(3, GgmlType.Q4_1),
    Q8_0(7, GgmlType.Q8_0),
    Q5_0(8, GgmlType.Q5_0),
    Q5_1(9, GgmlType.Q5_1),
    Q2_K(10, GgmlType.Q2_K),
    Q3_K_S(11, GgmlType.Q3_K),
    Q3_K_M(12, GgmlType.Q3_K),
    Q3_K_L(13, GgmlType.Q3_K),
    Q4_K_S(14, GgmlType.Q4_K),
    Q4_K_M(15, GgmlType.Q4_K),
    Q5_K_S(16, GgmlType.Q5_K),
    Q5_K_M(17, GgmlType.Q5_K),
    Q6_K(18, GgmlType.Q6_K),
    IQ4_NL(25, GgmlType.IQ4_NL),
    IQ4_XS(30, GgmlType.IQ4_XS),
    BF16(32, GgmlType.BF16);

    public final int id;
    public final GgmlType defaultType;

    FileType(int id, GgmlType defaultType) {
        this.id = id;
        this.defaultType = defaultType;
    }

    /** True for the types that quantize matrices into blocks (not F32, F16 or BF16). */
    public boolean isQuantized() {
        return defaultType.blockSize > 1;
    }

    /** The file type with this name, case-insensitive, or a {@link Glm4jException} listing the known ones. */
    public static FileType parse(String name) {
        for (FileType t : values()) {
            if (t.name().equalsIgnoreCase(name.trim())) return t;
        }
        throw new Glm4jException("unknown quantization type '" + name + "'; known: "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
}
