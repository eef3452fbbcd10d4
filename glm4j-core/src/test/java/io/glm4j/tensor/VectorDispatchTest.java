package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernels stay clear of the Vector API calls whose class dispatch happens inside a body every
 * vector class shares ({@code reinterpretAsInts()} and its siblings, {@code convert}, {@code
 * castShape}): their type profile is the whole process's, and once several classes have passed
 * through one, C2 may compile a kernel that reaches it with a virtual call and run the vector code
 * after it in plain Java, at half speed or less, depending on the order in which methods compiled.
 * {@code reinterpretShape} and {@code convertShape} with the target species dispatch at the
 * kernel's own call site instead.
 */
class VectorDispatchTest {
    private static final Pattern SHARED_DISPATCH = Pattern.compile("\\.(reinterpretAs\\w+|convert|castShape)\\(");

    @Test
    void noKernelCallsAVectorMethodThatDispatchesInASharedBody() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> sources = Files.list(Path.of("glm4j-core/src/main/java/io/glm4j/tensor"))) {
            for (Path source : sources.sorted().toList()) {
                List<String> lines = Files.readAllLines(source);
                for (int i = 0; i < lines.size(); i++) {
                    if (SHARED_DISPATCH.matcher(lines.get(i)).find()) offenders.add(source.getFileName() + ":" + (i + 1));
                }
            }
        }
        assertThat(offenders).as("use reinterpretShape / convertShape with the target species").isEmpty();
    }

    @Test
    void theRuleFindsTheCallsItForbids() {
        assertThat(SHARED_DISPATCH.matcher("IntVector w = sum.reinterpretAsInts();").find()).isTrue();
        assertThat(SHARED_DISPATCH.matcher("acc = ((FloatVector) s.convert(VectorOperators.I2F, 0)).mul(d);").find()).isTrue();
        assertThat(SHARED_DISPATCH.matcher("(IntVector) v.reinterpretShape(I, 0)").find()).isFalse();
        assertThat(SHARED_DISPATCH.matcher("s.convertShape(VectorOperators.I2F, F, 0)").find()).isFalse();
    }
}
