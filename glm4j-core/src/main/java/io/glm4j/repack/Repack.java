package io.glm4j.repack;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * Where a model's row groups are kept ({@link RowGroupFile}) and who hears a build: {@code log}
 * its start and end as messages, and the consumer {@code progress} returns for the build's total
 * bytes the bytes written so far.
 */
public record Repack(Path directory, Consumer<String> log, LongFunction<LongConsumer> progress) {

    /** Repacking into {@code directory} with nothing reported. */
    public static Repack quietly(Path directory) {
        return new Repack(directory, message -> {}, total -> done -> {});
    }
}
