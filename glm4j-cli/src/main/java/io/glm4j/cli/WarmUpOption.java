package io.glm4j.cli;

import picocli.CommandLine.Option;

/** Whether a long-lived command compiles a request's code before it takes the first request. */
final class WarmUpOption {
    @Option(names = "--no-warmup", description = "Take the first request without first compiling the code it runs (which, for a model file of 1 GiB or more, "
            + "is otherwise done while the file loads, so that the first answer does not wait for the JIT).")
    boolean noWarmUp;
}
