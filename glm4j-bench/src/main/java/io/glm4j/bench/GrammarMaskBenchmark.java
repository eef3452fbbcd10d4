package io.glm4j.bench;

import io.glm4j.grammar.CompiledGrammar;
import io.glm4j.grammar.GrammarConstraint;
import io.glm4j.grammar.TokenConstraint;
import io.glm4j.grammar.TokenTrie;
import io.glm4j.grammar.schema.JsonSchemaGrammar;
import io.glm4j.model.synth.SyntheticVocab;
import io.glm4j.tokenizer.SpecialTokenIds;
import io.glm4j.tokenizer.TokenType;
import io.glm4j.tokenizer.Tokenizer;
import io.glm4j.tokenizer.Vocabulary;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Grammar mask time per generated token on a GLM-4.5-sized vocabulary (151,329 byte-level BPE
 * tokens + added tokens, 151,552 ids, from {@link SyntheticVocab}), under the any-JSON-object
 * grammar, at three parse states: inside a string (nearly every token allowed: the densest
 * walk), right after {@code {} (a key must start) and inside a number.
 * {@code cold}: the state's mask is computed by walking the token trie (a new constraint, so no
 * cached mask; the grammar's parse-state tables are warm). {@code warm}: the mask comes from the
 * cache and is copied into the sampler's boolean[] (what most steps cost).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GrammarMaskBenchmark {
    @Param({"in-string", "object-start", "in-number"})
    public String at;

    private TokenTrie trie;
    private CompiledGrammar grammar;
    private int[] prefix;
    private TokenConstraint warm;
    private boolean[] mask;

    @Setup
    public void setUp() {
        SyntheticVocab v = SyntheticVocab.build(151_329, 151_552);
        Tokenizer tokenizer = Tokenizer.fromVocabulary(new Vocabulary("gpt2", "glm4", v.tokens(),
                Arrays.stream(v.types()).mapToObj(TokenType::fromGgufCode).toList(), v.merges(),
                new SpecialTokenIds(OptionalInt.of(v.id("[gMASK]")), OptionalInt.of(v.id("<|endoftext|>")), OptionalInt.of(v.id("<|user|>")),
                        OptionalInt.of(v.id("<|observation|>")), OptionalInt.empty(), OptionalInt.empty())));
        trie = TokenTrie.of(tokenizer);
        grammar = CompiledGrammar.parse(JsonSchemaGrammar.anyObject());
        String text = switch (at) {
            case "in-string" -> "{\"name\": \"Ada Lov";
            case "object-start" -> "{";
            default -> "{\"n\": 12";
        };
        prefix = tokenizer.encode(text, false);
        mask = new boolean[trie.vocabularySize()];
        warm = constraint();
        warm.allowedTokens(mask, TokenConstraint.UNLIMITED);
    }

    private TokenConstraint constraint() {
        TokenConstraint c = GrammarConstraint.of(grammar, trie);
        for (int id : prefix) c = c.accept(id);
        return c;
    }

    @Benchmark
    public boolean[] cold() {
        constraint().allowedTokens(mask, TokenConstraint.UNLIMITED);
        return mask;
    }

    @Benchmark
    public boolean[] warm() {
        warm.allowedTokens(mask, TokenConstraint.UNLIMITED);
        return mask;
    }
}
