package io.glm4j.hf;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.Glm4jException;
import io.glm4j.model.Glm4MoeConfig;
import io.glm4j.model.Glm4MoeTensors;
import io.glm4j.model.TensorSpec;
import io.glm4j.model.WeightSource;
import io.glm4j.safetensors.SafetensorsFile;
import io.glm4j.safetensors.SafetensorsShards;
import io.glm4j.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A Hugging Face checkpoint directory of a GLM-4.5 family model, as Z.ai publishes them:
 * {@code config.json}, safetensors shards (BF16, or FP8 with scales), {@code tokenizer.json} with
 * {@code tokenizer_config.json}, {@code chat_template.jinja} and {@code generation_config.json}.
 * Opening checks the config and every shard header and that every tensor is one the model knows;
 * the weights stay memory-mapped, and closing unmaps them.
 */
public final class HfCheckpoint implements AutoCloseable {
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String CHAT_TEMPLATE = "chat_template.jinja";
    public static final String GENERATION_CONFIG = "generation_config.json";

    private final Path directory;
    private final HfConfig config;
    private final SafetensorsShards shards;
    private final Glm4MoeConfig modelConfig;
    private final CheckpointWeights weights;

    private HfCheckpoint(Path directory, HfConfig config, SafetensorsShards shards) {
        this.directory = directory;
        this.config = config;
        this.shards = shards;
        String embedding = HfTensorNames.of("token_embd.weight");
        SafetensorsFile.Entry e = shards.entry(embedding);
        if (e == null) throw new Glm4jException("the checkpoint in " + directory + " has no tensor '" + embedding + "'");
        this.modelConfig = config.modelConfig(Math.toIntExact(e.shape()[0]));
        this.weights = new CheckpointWeights(shards, new Fp8Scales(shards, config.quantization()), modelConfig.expertCount());
        requireOnlyKnownTensors();
    }

    /** Whether {@code path} looks like a checkpoint directory (a directory with a {@code config.json}). */
    public static boolean isCheckpoint(Path path) {
        return Files.isDirectory(path) && Files.isRegularFile(path.resolve(HfConfig.FILE));
    }

    public static HfCheckpoint open(Path directory) {
        if (!Files.isDirectory(directory)) throw new Glm4jException(directory + " is not a directory");
        if (!Files.isRegularFile(directory.resolve(HfConfig.FILE))) {
            throw new Glm4jException(directory + " has no " + HfConfig.FILE + "; a model is a .gguf file or a Hugging Face checkpoint directory");
        }
        HfConfig config = HfConfig.read(directory);
        SafetensorsShards shards = SafetensorsShards.open(directory);
        try {
            return new HfCheckpoint(directory, config, shards);
        } catch (RuntimeException e) {
            shards.close();
            throw e;
        }
    }

    /** A tensor the model does not have would be silently ignored; refuse it instead, by name. */
    private void requireOnlyKnownTensors() {
        Set<String> known = new HashSet<>();
        for (TensorSpec t : Glm4MoeTensors.of(modelConfig, config.qkNorm())) {
            if (HfTensorNames.isExpertStack(t.name())) {
                for (int x = 0; x < modelConfig.expertCount(); x++) known.add(HfTensorNames.ofExpert(t.name(), x));
            } else {
                known.add(HfTensorNames.of(t.name()));
            }
        }
        for (String name : shards.names()) {
            String base = name.endsWith("_scale") ? name.substring(0, name.length() - 6)
                    : name.endsWith("_scale_inv") ? name.substring(0, name.length() - 10) : name;
            if (!known.contains(base) && !name.endsWith(".rotary_emb.inv_freq")) {
                throw new Glm4jException("the checkpoint in " + directory + " has tensor '" + name
                        + "', which a " + HfConfig.MODEL_TYPE + " model with this config.json does not have");
            }
        }
    }

    public Path directory() {
        return directory;
    }

    public HfConfig config() {
        return config;
    }

    public Glm4MoeConfig modelConfig() {
        return modelConfig;
    }

    public SafetensorsShards shards() {
        return shards;
    }

    /** The weights under their GGUF names. */
    public WeightSource weights() {
        return weights;
    }

    /** The tokenizer of {@code tokenizer.json} (with {@code tokenizer_config.json}'s special tokens). */
    public Tokenizer tokenizer() {
        return tokenizer(directory);
    }

    /** The tokenizer of a checkpoint directory, without opening its weights. */
    public static Tokenizer tokenizer(Path directory) {
        Path file = directory.resolve(TOKENIZER);
        if (!Files.isRegularFile(file)) throw new Glm4jException(directory + " has no " + TOKENIZER);
        return Tokenizer.fromHuggingFace(file);
    }

    /** {@code chat_template.jinja}, else the {@code chat_template} of {@code tokenizer_config.json}, else null. */
    public String chatTemplate() {
        return chatTemplate(directory);
    }

    /** The chat template of a checkpoint directory, without opening its weights. */
    public static String chatTemplate(Path directory) {
        Path jinja = directory.resolve(CHAT_TEMPLATE);
        if (Files.isRegularFile(jinja)) {
            try {
                return Files.readString(jinja);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + jinja + ": " + e.getMessage(), e);
            }
        }
        return tokenizerConfigTemplate(directory);
    }

    /** The {@code chat_template} of {@code tokenizer_config.json} (the one named default, if several), or null. */
    public static String tokenizerConfigTemplate(Path directory) {
        JsonNode tokenizerConfig = JsonFiles.readIfPresent(directory.resolve(TOKENIZER_CONFIG));
        JsonNode template = tokenizerConfig == null ? null : tokenizerConfig.get("chat_template");
        if (template == null || template.isNull()) return null;
        if (template.isTextual()) return template.asText();
        for (JsonNode named : template) {
            if (named.path("name").asText().equals("default")) return named.path("template").asText();
        }
        throw new Glm4jException(TOKENIZER_CONFIG + " in " + directory + " has chat templates but none named 'default'");
    }

    /** The ids that end a turn: {@code generation_config.json}'s {@code eos_token_id}s and the tokenizer's own. */
    public Set<Integer> endOfGeneration(Tokenizer tokenizer) {
        Set<Integer> ids = new LinkedHashSet<>();
        JsonNode generation = JsonFiles.readIfPresent(directory.resolve(GENERATION_CONFIG));
        JsonNode eos = generation == null ? null : generation.get("eos_token_id");
        if (eos != null && eos.isArray()) eos.forEach(id -> ids.add(id.asInt()));
        else if (eos != null && eos.canConvertToInt()) ids.add(eos.asInt());
        ids.addAll(tokenizer.specialTokens().endOfGeneration());
        return Set.copyOf(ids);
    }

    @Override
    public void close() {
        shards.close();
    }
}
