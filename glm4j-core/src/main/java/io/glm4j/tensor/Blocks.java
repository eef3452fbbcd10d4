package io.glm4j.tensor;

/** Checks that a row length handed to a kernel is a whole number of its type's blocks. */
final class Blocks {
    private Blocks() {}

    /** How many blocks of {@code type} hold {@code count} values. */
    static int of(int count, GgmlType type) {
        if (count < 0 || count % type.blockSize != 0) {
            throw new IllegalArgumentException(count + " values is not a whole number of " + type + " blocks");
        }
        return count / type.blockSize;
    }
}
