package io.glm4j.model;

import io.glm4j.Glm4jException;
import java.util.Locale;

/** Element storage of the KV cache: float32, float16 (the default, as in llama.cpp) or Q8_0 blocks. */
public enum KvCacheType {
    F32(4),
    F16(2),
    Q8_0(34.0 / 32);

    /** Bytes per stored value. */
    public final double bytesPerValue;

    KvCacheType(double bytesPerValue) {
        this.bytesPerValue = bytesPerValue;
    }

    public static KvCacheType parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Glm4jException("unknown KV cache type '" + name + "' (use f32, f16 or q8_0)");
        }
    }

    RowStore newStore(int rows, int width, int headDim) {
        return switch (this) {
            case F32 -> new RowStore.Floats(rows, width);
            case F16 -> new RowStore.Halves(rows, width);
            case Q8_0 -> {
                if (headDim % RowStore.Q8.BLOCK != 0) {
                    throw new Glm4jException("a Q8_0 KV cache needs a head size that is a multiple of 32, not " + headDim);
                }
                yield new RowStore.Q8(rows, width);
            }
        };
    }
}
