package io.glm4j.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glm4j.Glm4jException;
import io.glm4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weights of a Hugging Face checkpoint directory: {@code model.safetensors.index.json}, whose
 * {@code weight_map} names the shard of every tensor, or a single {@code model.safetensors}. Every
 * shard is opened (and its header checked) up front, so a missing or broken shard fails at once.
 */
public final class SafetensorsShards implements AutoCloseable {
    public static final String INDEX = "model.safetensors.index.json";
    public static final String SINGLE = "model.safetensors";

    private final Path directory;
    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> shardOf;

    private SafetensorsShards(Path directory, List<SafetensorsFile> shards, Map<String, SafetensorsFile> shardOf) {
        this.directory = directory;
        this.shards = shards;
        this.shardOf = Collections.unmodifiableMap(shardOf);
    }

    /** Whether the directory holds safetensors weights in either layout. */
    public static boolean present(Path directory) {
        return Files.isRegularFile(directory.resolve(INDEX)) || Files.isRegularFile(directory.resolve(SINGLE));
    }

    public static SafetensorsShards open(Path directory) {
        if (Files.isRegularFile(directory.resolve(INDEX))) return openIndexed(directory);
        if (Files.isRegularFile(directory.resolve(SINGLE))) {
            SafetensorsFile only = SafetensorsFile.open(directory.resolve(SINGLE));
            Map<String, SafetensorsFile> shardOf = new LinkedHashMap<>();
            only.entries().keySet().forEach(name -> shardOf.put(name, only));
            return new SafetensorsShards(directory, List.of(only), shardOf);
        }
        throw new Glm4jException(directory + " has no weights (neither " + INDEX + " nor " + SINGLE + ")");
    }

    private static SafetensorsShards openIndexed(Path directory) {
        JsonNode weightMap = readIndex(directory.resolve(INDEX)).path("weight_map");
        if (!weightMap.isObject() || weightMap.isEmpty()) throw new Glm4jException(INDEX + " in " + directory + " has no weight_map");
        Map<String, SafetensorsFile> byFile = new LinkedHashMap<>();
        Map<String, SafetensorsFile> shardOf = new LinkedHashMap<>();
        try {
            for (var e : weightMap.properties()) {
                String file = e.getValue().asText();
                if (file.isEmpty() || file.contains("/") || file.contains("\\")) {
                    throw new Glm4jException(INDEX + " maps tensor '" + e.getKey() + "' to '" + file + "', which is not a shard file name");
                }
                SafetensorsFile shard = byFile.get(file);
                if (shard == null) {
                    Path path = directory.resolve(file);
                    if (!Files.isRegularFile(path)) {
                        throw new Glm4jException("shard " + file + " (listed in " + INDEX + ") is missing from " + directory);
                    }
                    shard = SafetensorsFile.open(path);
                    byFile.put(file, shard);
                }
                if (!shard.entries().containsKey(e.getKey())) {
                    throw new Glm4jException(INDEX + " puts tensor '" + e.getKey() + "' in " + file + ", which does not hold it");
                }
                shardOf.put(e.getKey(), shard);
            }
        } catch (RuntimeException e) {
            byFile.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new SafetensorsShards(directory, new ArrayList<>(byFile.values()), shardOf);
    }

    private static JsonNode readIndex(Path index) {
        try {
            return new ObjectMapper().readTree(index.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Glm4jException(index + " is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new Glm4jException("cannot read " + index + ": " + e.getMessage(), e);
        }
    }

    public Path directory() {
        return directory;
    }

    /** Every tensor name, in index (or header) order. */
    public Set<String> names() {
        return shardOf.keySet();
    }

    public boolean has(String name) {
        return shardOf.containsKey(name);
    }

    /** The header entry of a tensor (dtype, shape), or null if absent. */
    public SafetensorsFile.Entry entry(String name) {
        SafetensorsFile shard = shardOf.get(name);
        return shard == null ? null : shard.entries().get(name);
    }

    /** The tensor as a view into its shard. */
    public Tensor tensor(String name) {
        SafetensorsFile shard = shardOf.get(name);
        if (shard == null) throw new Glm4jException("the checkpoint in " + directory + " has no tensor '" + name + "'");
        return shard.tensor(name);
    }

    /** Bytes of all shard files. */
    public long byteSize() {
        return shards.stream().mapToLong(SafetensorsFile::fileSize).sum();
    }

    /** Bytes of every tensor's data. */
    public long tensorBytes() {
        return shardOf.keySet().stream().map(this::entry).mapToLong(e -> e.end() - e.begin()).sum();
    }

    /** Every shard's whole mapping, in the order first referenced. */
    public List<MemorySegment> mappings() {
        return shards.stream().map(SafetensorsFile::mapping).toList();
    }

    /** The shard files, in the order first referenced. */
    public List<Path> files() {
        return shards.stream().map(SafetensorsFile::path).toList();
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}
