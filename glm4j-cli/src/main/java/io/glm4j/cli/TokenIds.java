package io.glm4j.cli;

import io.glm4j.Glm4jException;

/** Parses {@code --ids 1,2,3}. */
final class TokenIds {
    private TokenIds() {}

    static int[] parse(String text) {
        String[] parts = text.split("[,\\s]+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new Glm4jException("--ids: '" + parts[i] + "' is not a token id");
            }
        }
        if (ids.length == 0 || text.isBlank()) throw new Glm4jException("--ids: no token ids given");
        return ids;
    }
}
