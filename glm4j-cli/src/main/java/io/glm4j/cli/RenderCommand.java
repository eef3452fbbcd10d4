package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.chat.ChatRequest;
import io.glm4j.chat.ChatTemplate;
import io.glm4j.gguf.GgufFile;
import io.glm4j.hf.HfCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints exactly the prompt a chat-completions request renders to with the model's own template. */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Print exactly the prompt text the model's chat template produces for a chat-completions request body.")
final class RenderCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "GGUF model file (its tokenizer.chat_template) or Hugging Face checkpoint directory (its chat template).")
    Path model;

    @Option(names = "--request", required = true, paramLabel = "REQ.json", description = "A chat-completions request body (JSON).")
    Path request;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String body;
        try {
            body = Files.readString(request, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new Glm4jException("request file not found: " + request);
        }
        ChatTemplate template;
        if (HfCheckpoint.isCheckpoint(model)) {
            template = new ChatTemplate(HfCheckpoint.chatTemplate(model));
        } else {
            try (GgufFile file = GgufFile.open(model)) {
                template = new ChatTemplate(file.meta().string("tokenizer.chat_template", null));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(template.render(ChatRequest.fromJson(body)));
        out.flush();
        return 0;
    }
}
