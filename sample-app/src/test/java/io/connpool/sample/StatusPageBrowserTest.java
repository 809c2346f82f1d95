package io.connpool.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.ServerState;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The status page at {@code /} in Debian's headless Chromium, as a person uses it: three servers UP, a click
 * on Stop turns that server's row DOWN or BYPASSED without a reload, a click on Start brings it back UP. Saves
 * {@code target/status-page.png} (with a server down) and {@code target/status-page-recovered.png}.
 *
 * <p>Waits are explicit and generous (a loaded 2-core machine runs this beside other builds): the page polls
 * every second, and with the sample's retry settings a restarted server is back within about 2 s.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient // the same context as the sample's other tests: started once for all of them
class StatusPageBrowserTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /**
     * Selenium warns that it has no DevTools (CDP) support for this Chromium version; WebDriver itself does
     * not need it. Held here so that the level sticks (JUL keeps loggers weakly).
     */
    private static final List<Logger> CDP_WARNINGS = List.of(Logger.getLogger("org.openqa.selenium.devtools"),
            Logger.getLogger("org.openqa.selenium.chromium.ChromiumDriver"));

    private static ChromeDriverService service;

    private static ChromeDriver browser;

    @LocalServerPort
    private int port;

    @Autowired
    private EmbeddedServers embedded;

    @Autowired
    private ConnPool pool;

    @BeforeAll
    static void startBrowser(@TempDir Path profile) throws IOException {
        CDP_WARNINGS.forEach(logger -> logger.setLevel(Level.SEVERE));
        service = new ChromeDriverService.Builder().usingDriverExecutable(installed("chromedriver", "chromium-driver"))
                .usingAnyFreePort().build();
        service.start();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(installed("chromium", "chromium"));
        // what this closed network needs: nothing may reach out (machines doc), a fresh profile per run
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=1280,760");
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(PATIENCE).scriptTimeout(PATIENCE);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
    }

    /** Debian's packages, as .ci/run installs them. */
    private static File installed(String command, String debianPackage) {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/lib/chromium")) {
            File candidate = new File(dir, command);
            if (candidate.canExecute()) {
                return candidate;
            }
        }
        throw new IllegalStateException(command + " is not installed, and StatusPageBrowserTest drives a real browser;"
                + " install it with 'apt-get install -y chromium chromium-driver' (Debian package " + debianPackage
                + "), as .ci/run does");
    }

    @BeforeEach
    void everyServerUp() {
        embedded.servers().forEach(LineServer::start);
        await().atMost(PATIENCE).until(() -> pool.servers().stream().allMatch(s -> s.state() == ServerState.UP));
    }

    @AfterEach
    void restartAll() {
        embedded.servers().forEach(LineServer::start);
    }

    @Test
    void stopAndStartAServerFromThePageAndWatchItsRowChangeLive() throws IOException {
        browser.get("http://localhost:" + port + "/");
        Object loadedAt = browser.executeScript("return window.connpoolPageLoadedAt");
        WebDriverWait wait = new WebDriverWait(browser, PATIENCE, Duration.ofMillis(200));

        List<String> addresses = embedded.addresses();
        for (String address : addresses) {
            wait.until(page -> "UP".equals(row(page, address).getDomAttribute("data-status")));
        }
        assertThat(browser.findElement(By.cssSelector("section[data-pool='default']")).getDomAttribute("data-status"))
                .isEqualTo("UP");

        String second = addresses.get(1);
        click(wait, second, "stop");
        wait.until(page -> Set.of("DOWN", "BYPASSED").contains(row(page, second).getDomAttribute("data-status")));
        WebElement stopped = row(browser, second);
        // the others serve, so it is BYPASSED, not DOWN; the page shows why and when it is retried
        assertThat(stopped.getDomAttribute("data-status")).isEqualTo("BYPASSED");
        assertThat(stopped.findElement(By.cssSelector(".health .badge")).getText()).isEqualTo("BYPASSED");
        assertThat(stopped.getDomAttribute("data-state")).isEqualTo("DOWN"); // on probation it would be UP
        wait.until(page -> !row(page, second).findElement(By.cssSelector(".error")).getText().isBlank());
        assertThat(stopped.findElement(By.cssSelector(".demo")).getText()).contains("server-2 stopped");
        assertThat(row(browser, addresses.get(0)).getDomAttribute("data-status")).isEqualTo("UP");
        // echo traffic from the page goes on: the pool serves from the other two
        int answered = answered();
        wait.until(page -> answered() >= answered + 3);
        screenshot("status-page.png");

        click(wait, second, "start");
        wait.until(page -> "UP".equals(row(page, second).getDomAttribute("data-status")));
        assertThat(row(browser, second).findElement(By.cssSelector(".demo")).getText()).contains("server-2 running");
        assertThat(browser.findElement(By.cssSelector("section[data-pool='default']")).getDomAttribute("data-status"))
                .isEqualTo("UP");
        screenshot("status-page-recovered.png");

        assertThat(browser.executeScript("return window.connpoolPageLoadedAt")).as("the page never reloaded")
                .isEqualTo(loadedAt);
    }

    private static WebElement row(WebDriver page, String address) {
        return page.findElement(By.cssSelector("tr[data-server='" + address + "']"));
    }

    private static void click(WebDriverWait wait, String address, String action) {
        wait.until(ExpectedConditions.elementToBeClickable(
                By.cssSelector("tr[data-server='" + address + "'] button[data-action='" + action + "']"))).click();
    }

    private int answered() {
        String count = browser.findElement(By.id("traffic-summary")).getDomAttribute("data-answered");
        return count == null ? 0 : Integer.parseInt(count);
    }

    private static void screenshot(String name) throws IOException {
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }
}
