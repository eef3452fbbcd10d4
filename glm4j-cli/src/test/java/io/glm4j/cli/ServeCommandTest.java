package io.glm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ServeCommandTest {
    private static final String MODEL = "../shared/fixtures/glm45/tiny-glm45air-F32.gguf";

    @Test
    void servesUntilStoppedAndAnswersWithTheKey() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger code = new AtomicInteger(-1);
        Thread serving = Thread.ofPlatform().start(() -> code.set(Main.run(
                new String[] {"serve", "-m", MODEL, "--port", "0", "--ctx", "256", "--parallel", "2", "--api-key", "k1", "--alias", "glm-4.5-air"},
                new PrintWriter(out, true), new PrintWriter(err, true))));
        String url = awaitUrl(out);
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> noKey = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models"))
                .header("Authorization", "Bearer k1").build(), HttpResponse.BodyHandlers.ofString());
        serving.interrupt();
        serving.join(Duration.ofSeconds(20));

        assertThat(out.toString()).contains("serving glm-4.5-air at http://127.0.0.1:");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(models.body()).contains("\"id\":\"glm-4.5-air\"");
        assertThat(serving.isAlive()).isFalse();
    }

    @Test
    void refusesABadPort() {
        CliRunner run = CliRunner.run("serve", "-m", MODEL, "--port", "70000");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: --port must be in 0..65535, got 70000\n");
    }

    private static String awaitUrl(StringWriter out) throws InterruptedException {
        Pattern url = Pattern.compile("at (http://\\S+) ");
        for (int i = 0; i < 600; i++) {
            Matcher m = url.matcher(out.toString());
            if (m.find()) return m.group(1);
            Thread.sleep(50);
        }
        throw new AssertionError("the server did not start: " + out);
    }
}
