package io.glm4j.model.synth;

import io.glm4j.Glm4jException;
import io.glm4j.gguf.GgufWriter;
import io.glm4j.model.FileType;
import io.glm4j.model.Glm4MoeConfig;
import io.glm4j.model.Glm4MoeTensors;
import io.glm4j.model.QuantMix;
import io.glm4j.model.TensorSpec;
import io.glm4j.tensor.Quantizer;
import io.glm4j.tensor.WorkerPool;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A random-weight {@code glm4moe} GGUF of a {@link SynthPreset}'s shape: the metadata keys, tensor
 * names, shapes and order that llama.cpp's converter writes for GLM-4.5-Air, a GLM-4.5-shaped
 * tokenizer ({@link SyntheticVocab}) and GLM-4.5's chat template, with tensor types from
 * llama-quantize's mix for the {@link FileType}. Values are generated and quantized row chunk by
 * row chunk while the file is written, so a 100 GB file needs no memory of its size; the same
 * preset, type and seed always give the same bytes.
 */
public final class SyntheticModel {
    /** About this many float values are generated and quantized at a time. */
    private static final int CHUNK_VALUES = 1 << 21;

    private final SynthPreset preset;
    private final FileType fileType;
    private final long seed;
    private final List<TensorSpec> tensors;

    private SyntheticModel(SynthPreset preset, FileType fileType, long seed) {
        this.preset = preset;
        this.fileType = fileType;
        this.seed = seed;
        Glm4MoeConfig c = preset.config();
        this.tensors = QuantMix.of(fileType, c).apply(Glm4MoeTensors.of(c, false));
        for (TensorSpec t : tensors) {
            try {
                Quantizer.of(t.type());
            } catch (Glm4jException e) {
                throw new Glm4jException("cannot synthesize " + fileType + ": its mix stores " + t.name() + " as " + t.type()
                        + ", which glm4j cannot write (it writes F32, F16, Q8_0, Q4_0, Q5_0, Q4_K and Q6_K)");
            }
        }
    }

    public static SyntheticModel of(SynthPreset preset, FileType fileType, long seed) {
        return new SyntheticModel(preset, fileType, seed);
    }

    /** The tensor directory, with storage types. */
    public List<TensorSpec> tensors() {
        return tensors;
    }

    /** Bytes of tensor data (what {@code progress} counts up to). */
    public long dataBytes() {
        return tensors.stream().mapToLong(TensorSpec::bytes).sum();
    }

    /**
     * Writes the model to {@code path} (via a temporary file beside it, renamed at the end, so an
     * interrupted run leaves no truncated model), reporting tensor bytes written so far to {@code progress}.
     */
    public void write(Path path, WorkerPool pool, LongConsumer progress) {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) throw new Glm4jException("cannot write " + path + ": no directory " + parent);
        Glm4MoeConfig c = preset.config();
        SyntheticVocab vocab = SyntheticVocab.build(preset.normalTokens(), c.vocabSize());
        GgufWriter w = new GgufWriter();
        putMetadata(w, c, vocab);
        AtomicLong written = new AtomicLong();
        for (TensorSpec t : tensors) {
            w.tensor(t.name(), t.type(), t.ne(), out -> writeValues(t, out, pool, bytes -> progress.accept(written.addAndGet(bytes))));
        }
        Path tmp = path.resolveSibling(path.getFileName() + ".part");
        try {
            w.write(tmp);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the rename or the write failed already; that error is the one to report
            }
        }
    }

    private void putMetadata(GgufWriter w, Glm4MoeConfig c, SyntheticVocab vocab) {
        String a = "glm4moe.";
        w.put("general.architecture", "glm4moe")
                .put("general.type", "model")
                .put("general.name", preset.displayName())
                .put("general.license", "mit")
                .put(a + "block_count", c.blockCount() + c.nextnLayers())
                .put(a + "context_length", c.contextLength())
                .put(a + "embedding_length", c.hiddenSize())
                .put(a + "feed_forward_length", c.denseFfnSize())
                .put(a + "attention.head_count", c.headCount())
                .put(a + "attention.head_count_kv", c.kvHeadCount())
                .put(a + "rope.freq_base", (float) c.ropeTheta())
                .put(a + "attention.layer_norm_rms_epsilon", c.rmsEps())
                .put(a + "expert_count", c.expertCount())
                .put(a + "expert_used_count", c.expertsUsed())
                .put(a + "expert_group_count", c.expertGroupCount())
                .put(a + "expert_group_used_count", c.expertGroupsUsed())
                .put(a + "attention.key_length", c.headDim())
                .put(a + "attention.value_length", c.headDim())
                .put("general.file_type", fileType.id)
                .put(a + "rope.dimension_count", c.ropeDims())
                .put(a + "expert_feed_forward_length", c.expertFfnSize())
                .put(a + "expert_shared_count", c.sharedExpertCount())
                .put(a + "leading_dense_block_count", c.leadingDenseBlocks())
                .put(a + "expert_gating_func", 2)
                .put(a + "expert_weights_scale", c.expertWeightsScale())
                .put(a + "expert_weights_norm", c.normalizeExpertWeights())
                .put(a + "nextn_predict_layers", c.nextnLayers())
                .put("tokenizer.ggml.model", "gpt2")
                .put("tokenizer.ggml.pre", "glm4")
                .put("tokenizer.ggml.tokens", vocab.tokens())
                .put("tokenizer.ggml.token_type", vocab.types())
                .put("tokenizer.ggml.merges", vocab.merges())
                .put("tokenizer.ggml.eos_token_id", vocab.id("<|endoftext|>"))
                .put("tokenizer.ggml.padding_token_id", vocab.id("<|endoftext|>"))
                .put("tokenizer.ggml.bos_token_id", vocab.id("[gMASK]"))
                .put("tokenizer.ggml.eot_token_id", vocab.id("<|user|>"))
                .put("tokenizer.ggml.unknown_token_id", vocab.id("<|endoftext|>"))
                .put("tokenizer.ggml.eom_token_id", vocab.id("<|observation|>"))
                .put("tokenizer.chat_template", chatTemplate())
                .put("general.quantization_version", 2);
    }

    /** Generates and encodes the tensor chunk by chunk: rows in parallel, chunks in order. */
    private void writeValues(TensorSpec t, OutputStream out, WorkerPool pool, LongConsumer wrote) throws IOException {
        int cols = Math.toIntExact(t.cols());
        long rows = t.rows();
        int rowBytes = Math.toIntExact(t.type().bytesFor(cols));
        int chunkRows = (int) Math.min(rows, Math.max(1, CHUNK_VALUES / cols));
        long key = CounterRandom.key(seed, t.name());
        WeightScale scale = WeightScale.of(t.name(), preset.config());
        Quantizer quantizer = Quantizer.of(t.type());
        float[] values = new float[chunkRows * cols];
        byte[] bytes = new byte[chunkRows * rowBytes];
        for (long first = 0; first < rows; first += chunkRows) {
            long start = first;
            int n = (int) Math.min(chunkRows, rows - first);
            pool.forRange(n, 1, (from, to) -> {
                for (int r = from; r < to; r++) {
                    long base = (start + r) * cols;
                    for (int i = 0; i < cols; i++) values[r * cols + i] = scale.mean() + scale.std() * CounterRandom.bell(key, base + i);
                    quantizer.quantize(values, r * cols, cols, bytes, r * rowBytes);
                }
            });
            out.write(bytes, 0, n * rowBytes);
            wrote.accept((long) n * rowBytes);
        }
    }

    /** GLM-4.5's chat template, byte for byte as Z.ai ships it (zai-org/GLM-4.5-Air, chat_template.jinja). */
    public static String chatTemplate() {
        return SyntheticVocab.resource("chat_template.jinja");
    }
}
