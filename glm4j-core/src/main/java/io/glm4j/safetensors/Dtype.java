package io.glm4j.safetensors;

import io.glm4j.Glm4jException;
import io.glm4j.tensor.GgmlType;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The element types a safetensors header may name, with their sizes, and the storage type glm4j
 * computes with for the ones it reads (the rest can be listed and skipped, not read).
 */
public enum Dtype {
    BOOL(1, null),
    U8(1, null),
    I8(1, null),
    F8_E5M2(1, null),
    F8_E4M3(1, GgmlType.F8_E4M3),
    I16(2, null),
    U16(2, null),
    F16(2, GgmlType.F16),
    BF16(2, GgmlType.BF16),
    I32(4, null),
    U32(4, null),
    F32(4, GgmlType.F32),
    F64(8, null),
    I64(8, null),
    U64(8, null);

    public final int bytes;
    private final GgmlType storage;

    Dtype(int bytes, GgmlType storage) {
        this.bytes = bytes;
        this.storage = storage;
    }

    /** The dtype named in a header, or null if the name is not a safetensors dtype. */
    static Dtype named(String name) {
        for (Dtype d : values()) if (d.name().equals(name)) return d;
        return null;
    }

    public boolean readable() {
        return storage != null;
    }

    /** The storage type of a readable dtype; {@code what} names the tensor in the error otherwise. */
    public GgmlType storage(String what) {
        if (storage == null) {
            throw new Glm4jException(what + " has dtype " + this + ", which glm4j cannot read (it reads "
                    + Arrays.stream(values()).filter(Dtype::readable).map(Enum::name).collect(Collectors.joining(", ")) + ")");
        }
        return storage;
    }
}
