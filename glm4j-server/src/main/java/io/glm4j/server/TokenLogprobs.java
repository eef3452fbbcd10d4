package io.glm4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.glm4j.generate.TokenLogprob;
import io.glm4j.tokenizer.Tokenizer;
import java.util.List;

/** Token logprobs in the chat API's shape: {@code {token, logprob, bytes, top_logprobs: [...]}} per token. */
final class TokenLogprobs {
    private final Tokenizer tokenizer;
    private final int top;

    /** @param top alternatives to report per token (the engine may have computed more) */
    TokenLogprobs(Tokenizer tokenizer, int top) {
        this.tokenizer = tokenizer;
        this.top = top;
    }

    ObjectNode entry(TokenLogprob lp) {
        ObjectNode entry = token(lp.token(), lp.logprob());
        ArrayNode alternatives = entry.putArray("top_logprobs");
        List<TokenLogprob.Alternative> alts = lp.top();
        for (int i = 0; i < Math.min(top, alts.size()); i++) alternatives.add(token(alts.get(i).token(), alts.get(i).logprob()));
        return entry;
    }

    private ObjectNode token(int id, double logprob) {
        ObjectNode o = OpenAiJson.object();
        o.put("token", tokenizer.decodeToString(id));
        o.put("logprob", logprob);
        ArrayNode bytes = o.putArray("bytes");
        for (byte b : tokenizer.tokenBytes(id)) bytes.add(b & 0xff);
        return o;
    }
}
