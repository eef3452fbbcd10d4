package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.generate.LoadedModel;
import io.glm4j.generate.Scheduler;
import io.glm4j.server.Engine;
import io.glm4j.server.OpenAiServer;
import io.glm4j.server.ServedModel;
import io.glm4j.server.ServerOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Serves a model over the OpenAI API with the web chat page, until the process is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /v1/models), "
                + "with a web chat page at / and Prometheus metrics at /metrics.")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ModelChoice modelChoice;

    @Mixin
    ContextOptions context;

    @Mixin
    WarmUpOption warmUp;

    @Mixin
    SpeculationOptions speculation;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR", description = "Address to listen on (default ${DEFAULT-VALUE}: this machine only).")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "TCP port; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = {"-a", "--alias"}, paramLabel = "NAME",
            description = "The model's name in the API (default: the file name without .gguf).")
    String alias;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require 'Authorization: Bearer KEY' on /v1 requests.")
    String apiKey;

    @Option(names = {"-np", "--parallel"}, defaultValue = "4", paramLabel = "N",
            description = "Requests generating at once, batched together; each gets its own --ctx tokens of KV cache (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--queue", defaultValue = "64", paramLabel = "N",
            description = "Requests that may wait for a free slot; more get 503 (default ${DEFAULT-VALUE}).")
    int queue;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (queue < 1) throw new Glm4jException("--queue must be at least 1");
        ServerOptions options = new ServerOptions(host, port, apiKey, ServerOptions.DEFAULT_MAX_BODY_BYTES);
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel model = modelChoice.open(spec.commandLine().getErr(), warmUp.noWarmUp ? null : context.type())) {
            int ctx = context.size(model.model());
            ServedModel served = alias == null ? ServedModel.of(model, ctx) : ServedModel.of(model, ctx).withId(alias);
            CountDownLatch stopped = new CountDownLatch(1);
            try (Engine engine = Engine.of(new Scheduler(model, parallel, ctx, context.type(), queue, speculation.drafting(model)));
                 OpenAiServer server = OpenAiServer.start(served, engine, options)) {
                Thread hook = new Thread(stopped::countDown);
                Runtime.getRuntime().addShutdownHook(hook);
                out.printf("serving %s at %s (%d parallel, %d tokens of context each)%n",
                        served.id(), server.url(), parallel, ctx);
                out.println("chat page: " + server.url() + "/   API: " + server.url() + "/v1   stop: Ctrl-C");
                out.flush();
                try {
                    stopped.await();
                } finally {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the JVM is already stopping: the hook has run
                    }
                }
            }
        }
        return 0;
    }
}
