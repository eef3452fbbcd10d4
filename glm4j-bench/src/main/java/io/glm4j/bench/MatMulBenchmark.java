package io.glm4j.bench;

import io.glm4j.perf.JitBudgets;
import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.MatMul;
import io.glm4j.tensor.Quantizer;
import io.glm4j.tensor.RowGroups;
import io.glm4j.tensor.Tensor;
import io.glm4j.tensor.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One weight matrix times a batch of activations, as the model runs it: GLM-4.5-Air's hidden size
 * (4096 inputs) and an expert's width (1408 outputs) or, with {@code rows = 12288}, the query
 * projection, or with {@code rows = 151552} the output head, which streams from memory rather than the caches. {@code tokens = 1} is a decode step (int8 dot products per row), 4 an expert's share
 * of a 64-token prompt and 64 a prompt batch (tiles dequantized once, 4 × 4 register blocks). With
 * {@code repacked} the matrix is read through its row groups ({@code --repack}): 16 rows a vector
 * for a few tokens, and for Q8_0 and Q6_K batches of 8 or more, tiles decoded from the groups.
 * Weights per second = rows · 4096 / score; weight bytes per second = that × bytes per weight.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    JitBudgets.TRAP_LIMIT, JitBudgets.RECOMPILATION_CUTOFF}) // as ./glm4j runs
public class MatMulBenchmark {
    /** Rows quantized from random values; larger matrices repeat them (the output head: rows = 151552, far beyond the caches). */
    private static final int DISTINCT_ROWS = 1408;

    @Param({"Q4_K", "Q6_K", "Q8_0", "Q4_0", "Q5_0"})
    public String type;

    @Param({"1", "4", "64"})
    public int tokens;

    @Param({"1408"})
    public int rows;

    @Param({"1", "2"})
    public int threads;

    @Param({"false", "true"})
    public boolean repacked;

    /** Inputs per row: the hidden size, or 12288 for the attention output projection. */
    @Param({"4096"})
    public int cols;

    private Arena arena;
    private WorkerPool pool;
    private Tensor weights;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        GgmlType t = GgmlType.valueOf(type);
        Random random = new Random(42);
        long rowBytes = t.bytesFor(cols);
        arena = Arena.ofShared();
        MemorySegment data = arena.allocate(rowBytes * rows, 64);
        float[] row = new float[cols];
        byte[] encoded = new byte[(int) rowBytes];
        int distinct = Math.min(rows, DISTINCT_ROWS);
        for (int r = 0; r < distinct; r++) {
            for (int i = 0; i < cols; i++) row[i] = (float) random.nextGaussian() * 0.02f;
            Quantizer.of(t).quantize(row, 0, cols, encoded, 0);
            MemorySegment.copy(MemorySegment.ofArray(encoded), 0, data, r * rowBytes, rowBytes);
        }
        for (long r = distinct; r < rows; r++) MemorySegment.copy(data, (r % distinct) * rowBytes, data, r * rowBytes, rowBytes);
        weights = new Tensor("w", t, new long[] {cols, rows}, data);
        if (repacked && RowGroups.supports(weights)) {
            MemorySegment groups = arena.allocate(RowGroups.bytes(weights), 64);
            RowGroups.pack(weights, 0, RowGroups.groupCount(weights), groups);
            weights = weights.withGroups(groups);
        }
        x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        out = new float[tokens * rows];
        pool = new WorkerPool(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] multiply() {
        MatMul.multiply(pool, weights, x, tokens, out);
        return out;
    }
}
