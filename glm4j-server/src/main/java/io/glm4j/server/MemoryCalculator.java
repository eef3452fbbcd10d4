package io.glm4j.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.glm4j.model.KvCacheType;
import io.glm4j.model.MemoryEstimate;
import io.glm4j.tensor.GgmlType;
import io.javalin.http.Context;
import java.util.Locale;

/**
 * {@code GET /v1/glm4j/memory?ctx=N&parallel=P&kv=f16}: the core's memory estimate for the served
 * model at another context size, for the web page's calculator.
 */
final class MemoryCalculator {
    private final ServedModel model;

    MemoryCalculator(ServedModel model) {
        this.model = model;
    }

    ObjectNode estimate(Context ctx) {
        int context = intParam(ctx, "ctx", model.contextSize(), model.config().contextLength());
        int parallel = intParam(ctx, "parallel", 1, 1024);
        String kvName = ctx.queryParam("kv") == null ? "f16" : ctx.queryParam("kv");
        KvCacheType kv;
        try {
            kv = KvCacheType.parse(kvName);
        } catch (io.glm4j.Glm4jException e) {
            throw ApiException.invalid("kv", e.getMessage());
        }
        GgmlType type = GgmlType.valueOf(kv.name());
        MemoryEstimate m = MemoryEstimate.of(model.config(), model.weightsBytes(), context, type, parallel);
        ObjectNode o = OpenAiJson.object();
        o.put("model", model.id());
        o.put("context", context);
        o.put("parallel", parallel);
        o.put("kv_type", kv.name().toLowerCase(Locale.ROOT));
        o.put("max_context", model.config().contextLength());
        o.put("kv_bytes_per_token", MemoryEstimate.kvBytesPerToken(model.config(), type));
        o.put("weights_bytes", m.weightsBytes());
        o.put("kv_bytes", m.kvBytes());
        o.put("compute_bytes", m.computeBytes());
        o.put("total_bytes", m.totalBytes());
        return o;
    }

    private static int intParam(Context ctx, String name, int fallback, int max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) return fallback;
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 1 && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw ApiException.invalid(name, "'" + name + "' must be an integer in [1, " + max + "], got '" + v + "'");
    }
}
