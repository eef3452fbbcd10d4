package io.glm4j.model;

import io.glm4j.Glm4jException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The published GLM-4.5 family checkpoints, with the hyper-parameters of their {@code config.json} (SPEC §1). */
public enum KnownModel {
    GLM_4_5_AIR("glm-4.5-air", false, new Glm4MoeConfig(151552, 131072, 4096, 46, 1, 96, 8, 128, 64, 1e6, 1e-5f,
            10944, 128, 8, 1408, 1, 1, 1, 1, true, 1.0f)),
    GLM_4_5("glm-4.5", true, new Glm4MoeConfig(151552, 131072, 5120, 92, 1, 96, 8, 128, 64, 1e6, 1e-5f,
            12288, 160, 8, 1536, 1, 3, 1, 1, true, 2.5f));

    public final String id;
    /** GLM-4.5 normalises each query and key head ({@code use_qk_norm}); Air does not. */
    public final boolean qkNorm;
    private final Glm4MoeConfig config;

    KnownModel(String id, boolean qkNorm, Glm4MoeConfig config) {
        this.id = id;
        this.qkNorm = qkNorm;
        this.config = config;
    }

    public Glm4MoeConfig config() {
        return config;
    }

    /** The tensor directory llama.cpp's converter writes for this checkpoint, all F32. */
    public List<TensorSpec> tensors() {
        return Glm4MoeTensors.of(config, qkNorm);
    }

    public static KnownModel parse(String id) {
        for (KnownModel m : values()) {
            if (m.id.equalsIgnoreCase(id.trim())) return m;
        }
        throw new Glm4jException("unknown model '" + id + "'; known: "
                + Arrays.stream(values()).map(m -> m.id).collect(Collectors.joining(", ")));
    }
}
