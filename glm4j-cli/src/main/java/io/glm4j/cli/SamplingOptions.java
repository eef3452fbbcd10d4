package io.glm4j.cli;

import io.glm4j.Glm4jException;
import io.glm4j.generate.SamplingParams;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** Sampling flags with llama.cpp's names; defaults are GLM-4.5's recommended settings. */
final class SamplingOptions {
    private static final Pattern BIAS = Pattern.compile("(\\d+)([+=-])(-?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|-?inf)", Pattern.CASE_INSENSITIVE);

    @Option(names = "--temperature", paramLabel = "T", description = "Temperature; 0 = greedy (default ${DEFAULT-VALUE}).", defaultValue = "0.6")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens; 0 = off (default ${DEFAULT-VALUE}).", defaultValue = "0")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling (default ${DEFAULT-VALUE}).", defaultValue = "0.95")
    float topP;

    @Option(names = "--min-p", paramLabel = "P", description = "Drop tokens below P times the best one's probability (default ${DEFAULT-VALUE}).", defaultValue = "0")
    float minP;

    @Option(names = "--repeat-penalty", paramLabel = "R", description = "Repetition penalty; 1 = off (default ${DEFAULT-VALUE}).", defaultValue = "1")
    float repeatPenalty;

    @Option(names = "--presence-penalty", paramLabel = "P", defaultValue = "0", description = "Presence penalty (default ${DEFAULT-VALUE}).")
    float presencePenalty;

    @Option(names = "--frequency-penalty", paramLabel = "F", defaultValue = "0", description = "Frequency penalty (default ${DEFAULT-VALUE}).")
    float frequencyPenalty;

    @Option(names = "--repeat-last-n", paramLabel = "N", defaultValue = "64", description = "Tokens the penalties look back at; -1 = all (default ${DEFAULT-VALUE}).")
    int repeatLastN;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed for reproducible sampling.")
    Long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when this text is generated (repeatable).")
    List<String> stop = List.of();

    @Option(names = {"-l", "--logit-bias"}, paramLabel = "ID(+|-|=)BIAS",
            description = "Add BIAS to a token's logit, e.g. 575-inf or 12=1.5 (repeatable).")
    List<String> logitBias = List.of();

    SamplingParams params() {
        return SamplingParams.GLM45_DEFAULTS
                .withTemperature(temperature)
                .withTopK(topK)
                .withTopP(topP)
                .withMinP(minP)
                .withPenalties(repeatPenalty, presencePenalty, frequencyPenalty, repeatLastN)
                .withLogitBias(parseBias())
                .withSeed(seed);
    }

    private Map<Integer, Float> parseBias() {
        Map<Integer, Float> bias = new HashMap<>();
        for (String entry : logitBias) {
            Matcher m = BIAS.matcher(entry.strip());
            if (!m.matches()) throw new Glm4jException("--logit-bias '" + entry + "' is not ID+BIAS, ID-BIAS or ID=BIAS");
            String value = m.group(3).toLowerCase(java.util.Locale.ROOT).replace("inf", "Infinity");
            float b = Float.parseFloat(value);
            bias.merge(Integer.parseInt(m.group(1)), m.group(2).equals("-") ? -b : b, Float::sum);
        }
        return bias;
    }
}
