package io.glm4j.model;

import io.glm4j.Glm4jException;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.Tensor;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * Where a model's tensors come from, asked for by the names llama.cpp's GGUF files use: a GGUF file
 * itself, or a Hugging Face checkpoint that maps its own names (and its per-expert matrices) onto them.
 */
public interface WeightSource {

    /** The tensor with this GGUF name, or null if the model has none. */
    Tensor find(String name);

    /**
     * The routed experts of a stacked tensor such as {@code blk.1.ffn_up_exps.weight}, one matrix
     * each, or null if the model has none. A GGUF file stores them as one 3-D tensor and slices it.
     */
    default List<Tensor> findExperts(String name) {
        Tensor stack = find(name);
        return stack == null ? null : slices(name, stack);
    }

    private static List<Tensor> slices(String name, Tensor stack) {
        if (stack.ne().length != 3) throw new Glm4jException("tensor '" + name + "' is not a stack of expert matrices");
        return IntStream.range(0, Math.toIntExact(stack.ne()[2])).mapToObj(stack::slice).toList();
    }

    /** The error for a tensor the model needs but this source lacks. */
    Glm4jException missing(String name);

    /** This source with every tensor it finds passed through {@code attach} (e.g. to add its row groups). */
    default WeightSource withEach(UnaryOperator<Tensor> attach) {
        WeightSource source = this;
        return new WeightSource() {
            @Override
            public Tensor find(String name) {
                Tensor t = source.find(name);
                return t == null ? null : attach.apply(t);
            }

            /** A stored stack is attached whole, then sliced; experts stored apart are attached one by one. */
            @Override
            public List<Tensor> findExperts(String name) {
                Tensor stack = find(name);
                if (stack != null) return slices(name, stack);
                List<Tensor> experts = source.findExperts(name);
                return experts == null ? null : experts.stream().map(attach).toList();
            }

            @Override
            public Glm4jException missing(String name) {
                return source.missing(name);
            }
        };
    }

    static WeightSource of(GgufFile file) {
        return new WeightSource() {
            @Override
            public Tensor find(String name) {
                return file.optionalTensor(name);
            }

            @Override
            public Glm4jException missing(String name) {
                return new Glm4jException(file.path().getFileName() + " has no tensor '" + name + "'");
            }
        };
    }
}
