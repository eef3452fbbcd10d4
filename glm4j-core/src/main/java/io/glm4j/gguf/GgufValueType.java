package io.glm4j.gguf;

import io.glm4j.Glm4jException;

/** The value types a GGUF metadata entry can have, numbered as in the file. */
enum GgufValueType {
    UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64;

    static GgufValueType fromId(int id, String key) {
        GgufValueType[] all = values();
        if (id < 0 || id >= all.length) throw new Glm4jException("metadata key '" + key + "' has unknown value type " + id);
        return all[id];
    }

    /** Size in bytes of one value, or 0 for the variable-length types. */
    int size() {
        return switch (this) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16 -> 2;
            case UINT32, INT32, FLOAT32 -> 4;
            case UINT64, INT64, FLOAT64 -> 8;
            case STRING, ARRAY -> 0;
        };
    }
}
