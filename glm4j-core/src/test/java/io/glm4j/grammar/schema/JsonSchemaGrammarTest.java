package io.glm4j.grammar.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glm4j.Glm4jException;
import io.glm4j.grammar.CompiledGrammar;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JsonSchemaGrammarTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<SchemaCases> cases() {
        return SchemaCases.all();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void grammarAcceptsTheValidExamplesAndRejectsTheInvalidOnes(SchemaCases c) {
        CompiledGrammar g = CompiledGrammar.parse(JsonSchemaGrammar.of(c.schema()));
        for (String v : c.valid()) {
            assertThat(c.problems(v)).as("validator on %s", v).isEmpty();
            assertThat(g.matches(v)).as("grammar on valid %s", v).isTrue();
        }
        for (String v : c.invalid()) {
            assertThat(c.problems(v)).as("validator on %s", v).isNotEmpty();
            assertThat(g.matches(v)).as("grammar on invalid %s", v).isFalse();
        }
    }

    @Test
    void anyObjectIsAnyJsonObject() {
        CompiledGrammar g = CompiledGrammar.parse(JsonSchemaGrammar.anyObject());
        assertThat(g.matches("{\"a\": [1, true, null, {\"b\": \"\\u00e9\"}], \"c\": -0.5e+10}")).isTrue();
        assertThat(g.matches("[1]")).isFalse();
        assertThat(g.matches("{\"a\": 01}")).isFalse();
        assertThat(g.matches("{\"a\": \"\\ud800\"}")).as("lone surrogate escape").isFalse();
    }

    /** Integer ranges against plain arithmetic on every integer near the bounds. */
    @Test
    void integerRangesMatchExactlyTheIntegersInRange() {
        Random r = new Random(3);
        for (int t = 0; t < 150; t++) {
            Long lo = r.nextInt(5) == 0 ? null : (long) r.nextInt(2400) - 1200;
            Long hi = r.nextInt(5) == 0 ? null : (lo == null ? 0 : lo) + r.nextInt(1500);
            CompiledGrammar g = CompiledGrammar.parse("root ::= " + IntegerRanges.of(lo, hi) + "\n");
            for (long v = -1300; v <= 2800; v++) {
                boolean in = (lo == null || v >= lo) && (hi == null || v <= hi);
                assertThat(g.matches(Long.toString(v))).as("%d in [%s, %s]", v, lo, hi).isEqualTo(in);
            }
            assertThat(g.matches("-0")).isFalse();
            assertThat(g.matches("007")).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\": \"object\", \"not\": {}}|'not' is not supported",
            "{\"type\": \"array\", \"uniqueItems\": true}|'uniqueItems' is not supported",
            "{\"type\": \"wat\"}|unknown type 'wat'",
            "{\"$ref\": \"#/$defs/missing\"}|$ref '#/$defs/missing' points to nothing",
            "{\"$ref\": \"https://example.com/s.json\"}|only local $ref",
            "{\"type\": \"string\", \"pattern\": \"(?=a)b\"}|lookaround",
            "{\"type\": \"string\", \"pattern\": \"a(b\"}|missing ')'",
            "{\"type\": \"string\", \"minLength\": 5, \"maxLength\": 2}|minLength 5 is above maxLength 2",
            "{\"type\": \"integer\", \"minimum\": 10, \"maximum\": 2}|no integer lies within the bounds",
            "{\"enum\": []}|'enum' must be a non-empty array",
            "{\"allOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}|no type in common",
            "{\"type\": \"object\", \"required\": [\"x\"], \"additionalProperties\": false}|required property 'x'",
            "false|'false' matches nothing"})
    void badOrUnsupportedSchemasAreRefusedWithTheReason(String row) throws Exception {
        String[] parts = row.split("\\|");
        JsonNode schema = JSON.readTree(parts[0]);
        assertThatThrownBy(() -> JsonSchemaGrammar.of(schema)).isInstanceOf(Glm4jException.class).hasMessageContaining(parts[1]);
    }

    @Test
    void rawStringsHaveNoOuterWhitespaceAndNoAngleBrackets() throws Exception {
        JsonSchemaGrammar g = new JsonSchemaGrammar();
        String root = g.rawString(JSON.readTree("{\"type\": \"string\", \"maxLength\": 6}"), "s");
        CompiledGrammar c = CompiledGrammar.parse(g.toGbnf(root));
        assertThat(c.matches("")).isTrue();
        assertThat(c.matches("a")).isTrue();
        assertThat(c.matches("a b\nc\"")).isTrue();
        assertThat(c.matches(" ab")).isFalse();
        assertThat(c.matches("ab ")).isFalse();
        assertThat(c.matches("a<b")).isFalse();
        assertThat(c.matches("abcdefg")).isFalse();
        JsonSchemaGrammar e = new JsonSchemaGrammar();
        CompiledGrammar en = CompiledGrammar.parse(e.toGbnf(e.rawString(JSON.readTree("{\"enum\": [\"Paris\", \"New York\"]}"), "city")));
        assertThat(en.matches("New York")).isTrue();
        assertThat(en.matches("\"Paris\"")).isFalse();
    }
}
