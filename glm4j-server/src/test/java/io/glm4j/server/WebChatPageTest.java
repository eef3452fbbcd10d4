package io.glm4j.server;

import static io.glm4j.server.ReplayedReplyTest.ARG_KEY;
import static io.glm4j.server.ReplayedReplyTest.ARG_VALUE;
import static io.glm4j.server.ReplayedReplyTest.END_ARG_KEY;
import static io.glm4j.server.ReplayedReplyTest.END_ARG_VALUE;
import static io.glm4j.server.ReplayedReplyTest.END_THINK;
import static io.glm4j.server.ReplayedReplyTest.END_TOOL_CALL;
import static io.glm4j.server.ReplayedReplyTest.THINK;
import static io.glm4j.server.ReplayedReplyTest.TOOL_CALL;
import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.tokenizer.Tokenizer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The chat page at {@code /} in Debian's headless Chromium: it loads, sends a message, streams the
 * answer (the replayed model pauses between tokens), shows the reasoning in a collapsible block and
 * the tool call, sends the settings, keeps the conversation across a reload and shows the memory
 * calculator. CI installs {@code chromium} and {@code chromium-driver} (see .ci/run).
 */
class WebChatPageTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Tokenizer TOKENIZER = TinyModel.loaded().tokenizer();
    private static final int[] REPLY = ReplayEngine.ids(TOKENIZER,
            "\n", THINK, "The user greets me; I should greet back.", END_THINK, "\nHello from glm4j!\n",
            TOOL_CALL, "get_weather\n", ARG_KEY, "city", END_ARG_KEY, "\n", ARG_VALUE, "Paris", END_ARG_VALUE, "\n", END_TOOL_CALL);

    private static ReplayEngine engine;
    private static TinyModel.Running server;
    private static WebDriver browser;

    @BeforeAll
    static void start(@TempDir Path profile) {
        boolean browserInstalled = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        String hint = "this test needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver (.ci/run does)";
        // CI installs the browser, so there it must run; on a developer machine without it, it is skipped and says why.
        if (System.getenv("CI") != null) assertThat(browserInstalled).as(hint).isTrue();
        else Assumptions.assumeTrue(browserInstalled, hint);
        engine = new ReplayEngine(TOKENIZER, REPLY, 25);
        server = TinyModel.start(engine, 1024, ServerOptions.loopback(0));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile, "--window-size=1200,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (server != null) server.close();
    }

    @Test
    void chatsWithStreamedReasoningToolCallsSettingsAndMemory() {
        browser.get(server.url() + "/");
        until(() -> browser.findElement(By.id("model")).getText().equals(TinyModel.ID));

        set("temperature", "0.2");
        set("top_k", "40");
        browser.findElement(By.id("prompt")).sendKeys("Hi there");
        browser.findElement(By.id("send")).click();

        until(() -> !browser.findElements(By.cssSelector(".message.assistant")).isEmpty());
        WebElement answer = browser.findElement(By.cssSelector(".message.assistant"));
        until(() -> !text(answer, "details.reasoning .text").isEmpty());
        assertThat(answer.getAttribute("data-state")).as("the reasoning shows while the answer still streams").isEqualTo("streaming");
        until(() -> "done".equals(answer.getAttribute("data-state")));

        WebElement reasoning = answer.findElement(By.cssSelector("details.reasoning"));
        assertThat(reasoning.getAttribute("open")).as("collapsed until opened").isNull();
        reasoning.findElement(By.tagName("summary")).click();
        assertThat(reasoning.findElement(By.className("text")).getText()).isEqualTo("The user greets me; I should greet back.");
        assertThat(text(answer, ".content")).isEqualTo("Hello from glm4j!");
        assertThat(text(answer, ".tool-call")).contains("Tool call: get_weather").contains("\"city\": \"Paris\"");
        assertThat(engine.last().sampling().temperature()).isEqualTo(0.2f);
        assertThat(engine.last().sampling().topK()).isEqualTo(40);
        assertThat(TOKENIZER.decodeToString(engine.last().prompt())).endsWith("Hi there<|assistant|>");

        browser.findElement(By.id("thinking")).click();
        browser.findElement(By.id("prompt")).sendKeys("And now?");
        browser.findElement(By.id("send")).click();
        until(() -> browser.findElements(By.cssSelector(".message.assistant[data-state=done]")).size() == 2);
        assertThat(TOKENIZER.decodeToString(engine.last().prompt()))
                .as("thinking off, and the first turn sent back")
                .contains("Hello from glm4j!")
                .endsWith("And now?/nothink<|assistant|>\n<think></think>");

        browser.navigate().refresh();
        until(() -> browser.findElement(By.id("model")).getText().equals(TinyModel.ID));
        List<WebElement> kept = browser.findElements(By.cssSelector(".message"));
        assertThat(kept).extracting(WebElement::getText).hasSize(4);
        assertThat(browser.findElements(By.cssSelector("#conversations li"))).hasSize(1);
        assertThat(browser.findElement(By.cssSelector("#conversations li a")).getText()).isEqualTo("Hi there");

        browser.findElement(By.cssSelector("#memory-panel summary")).click();
        until(() -> browser.findElements(By.cssSelector("#memory tr")).size() == 4);
        assertThat(browser.findElement(By.cssSelector("#memory tr.total")).getText()).matches("Total \\d+(\\.\\d+)? (KiB|MiB|GiB)");
    }

    /** Waits up to 30 s for the page to get there. */
    private static void until(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("the page did not get there in 30 s:\n" + browser.getPageSource());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static void set(String id, String value) {
        WebElement input = browser.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    private static String text(WebElement root, String css) {
        List<WebElement> found = root.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : (String) ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("return arguments[0].textContent", found.getFirst());
    }
}
