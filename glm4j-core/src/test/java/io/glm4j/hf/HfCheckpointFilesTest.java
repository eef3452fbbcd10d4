package io.glm4j.hf;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.generate.LoadedModel;
import io.glm4j.tensor.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files beside the weights: the chat template, the ids that end a turn, the tokenizer. */
class HfCheckpointFilesTest {
    @TempDir
    Path tmp;

    @AfterEach
    void unlink() {
        CheckpointCopy.unlink(tmp);
    }

    @Test
    void theTemplateComesFromChatTemplateJinja() throws IOException {
        Path dir = HfCheckpointGoldenTest.HF.resolve("tiny-glm45air-bf16");
        assertThat(HfCheckpoint.chatTemplate(dir)).isEqualTo(Files.readString(dir.resolve("chat_template.jinja")));
    }

    @Test
    void elseFromTokenizerConfig() {
        Path dir = CheckpointCopy.of("bf16", tmp).delete("chat_template.jinja")
                .editText("tokenizer_config.json", c -> c.replaceFirst("\\{", "{\"chat_template\": \"{{ messages[0].content }}\","))
                .dir();
        assertThat(HfCheckpoint.chatTemplate(dir)).isEqualTo("{{ messages[0].content }}");
    }

    @Test
    void elseTheOneNamedDefaultOfSeveralInTokenizerConfig() {
        Path dir = CheckpointCopy.of("bf16", tmp).delete("chat_template.jinja")
                .editText("tokenizer_config.json", c -> c.replaceFirst("\\{", "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"},"
                        + " {\"name\": \"default\", \"template\": \"D\"}],"))
                .dir();
        assertThat(HfCheckpoint.chatTemplate(dir)).isEqualTo("D");
    }

    @Test
    void withNoTemplateAnywhereTheModelUsesGlm45sOwn() {
        Path dir = CheckpointCopy.of("bf16", tmp).delete("chat_template.jinja").dir();
        assertThat(HfCheckpoint.chatTemplate(dir)).isNull();
        try (LoadedModel model = LoadedModel.open(dir, WorkerPool.shared())) {
            assertThat(model.template().source()).contains("[gMASK]<sop>");
        }
    }

    /** generation_config.json's eos ids [568, 575, 577]: the same set llama.cpp derives for the GGUF (eos, eot, eom). */
    @Test
    void turnsEndAtGenerationConfigsEosIds() {
        try (LoadedModel model = LoadedModel.open(HfCheckpointGoldenTest.HF.resolve("tiny-glm45air-fp8"), WorkerPool.shared())) {
            assertThat(model.endOfGeneration()).containsExactlyInAnyOrder(568, 575, 577);
            assertThat(model.tokenizer().encode("<|user|>hi", true)[0]).isEqualTo(575);
        }
    }
}
