package io.synapsews.gateway;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web console in headless Chromium (Debian's chromium and chromium-driver, installed by .ci/run): the
 * seed's whole workflow through the UI only, from signing in to a message echoed in the try-it console over
 * ws and wss, then the dashboard, at 1280x800 and at a phone's width. A screenshot of each step goes to
 * target/console-screenshots/.
 */
class ConsoleTest {

    @TempDir
    static Path tmp;

    static final File CHROMIUM = new File("/usr/bin/chromium");
    static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    static final Path SHOTS = Paths.get("target", "console-screenshots");

    static EchoBackend production;
    static EchoBackend sandbox;
    static TestHome home;
    static Gateway gateway;
    static WebDriver driver;
    static WebDriverWait wait;
    static int step;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                "the console test needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
        production = new EchoBackend(0);
        sandbox = new EchoBackend(0);
        home = new TestHome(tmp.resolve("home").toFile(), production.url());
        gateway = Gateway.start(home.dir);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // the demo key store's certificate is self-signed: the browser is told to accept it, as a user clicking through would
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--ignore-certificate-errors",
                "--window-size=1280,800", "--disable-gpu", "--no-first-run", "--disable-extensions");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        TestHome.closeAll(gateway, production, sandbox);
    }

    static void shot(String name) throws Exception {
        File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(String.format("%02d-%s.png", ++step, name)), StandardCopyOption.REPLACE_EXISTING);
    }

    static WebElement el(String id) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
    }

    static void type(String id, String text) {
        WebElement e = el(id);
        e.clear();
        e.sendKeys(text);
    }

    static void click(String id) {
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .ignoring(org.openqa.selenium.ElementClickInterceptedException.class).until(d -> {
            WebElement e = ExpectedConditions.elementToBeClickable(By.id(id)).apply(d);
            if (e == null) {
                return false; // not there or not clickable yet (the page re-renders after each answer): wait on
            }
            e.click();
            return true;
        });
    }

    /** The text (or a text area's value) of element {@code id} once it contains {@code containing}; the page may re-render meanwhile. */
    static String textOf(String id, String containing) {
        return wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            WebElement e = d.findElement(By.id(id));
            String t = "textarea".equals(e.getTagName()) ? e.getAttribute("value") : e.getText();
            return t != null && t.contains(containing) ? t : null;
        });
    }

    @Test
    void theSeedsWorkflowThroughTheConsoleOnly() throws Exception {
        String console = "https://localhost:" + home.managementPort + "/";
        driver.get(console);
        // sign in: a wrong password is said next to the field, with no browser dialog
        type("user", "admin");
        type("password", "wrong");
        shot("sign-in");
        click("sign-in-button");
        textOf("sign-in-error", "Wrong user name or password");
        type("password", "admin");
        click("sign-in-button");
        el("create-api");
        assertTrue(textOf("api-list", "EchoWebSocket").contains("PUBLISHED"), "the demo's API is listed");
        shot("publisher-apis");

        // Publisher: Create WebSocket API, Design / Implement (with Test) / Manage, Save & Publish
        click("create-api");
        type("api-name", "ConsoleEcho");
        type("api-context", "/console-echo");
        type("api-version", "1.0");
        type("api-production", production.url());
        click("test-production");
        textOf("test-production-result", "✓");
        type("api-sandbox", "ws://127.0.0.1:1/");
        click("test-sandbox");
        assertTrue(textOf("test-sandbox-result", "✗").contains("cannot connect"), "a dead endpoint is reported");
        type("api-sandbox", "http://example.com/");
        click("tier-Gold");
        shot("create-api");
        click("save-publish");
        // the REST API's error is shown next to the field it concerns
        assertTrue(textOf("api-sandbox-error", "ws://").contains("wss://"));
        assertEquals("true", driver.findElement(By.id("api-sandbox")).getAttribute("aria-invalid"));
        shot("field-error");
        type("api-sandbox", sandbox.url());
        click("save-publish");
        textOf("api-status", "PUBLISHED");
        shot("published");

        // Developer portal: an application, a Gold subscription, keys and a token
        click("to-devportal");
        assertTrue(textOf("subscribe-heading", "Subscribe").length() > 0);
        assertTrue(driver.getPageSource().contains("ws://localhost:" + home.wsPort + "/console-echo/1.0"));
        assertTrue(driver.getPageSource().contains("wss://localhost:" + home.wssPort + "/console-echo/1.0"));
        type("new-application", "ConsoleApp");
        click("create-application-button");
        el("generate-keys-PRODUCTION");
        new Select(el("subscribe-tier")).selectByValue("Gold");
        click("subscribe-button");
        textOf("subscription-state", "Subscribed with Gold");
        click("generate-keys-PRODUCTION");
        assertTrue(textOf("consumer-secret-PRODUCTION", "").length() > 10);
        click("generate-token-PRODUCTION");
        String token = textOf("token-PRODUCTION", ".");
        shot("keys-and-token");

        // Try it, over ws: the token as the access_token. subprotocol entry beside the backend's echo.v1
        new Select(el("tryit-url")).selectByIndex(0);
        type("tryit-protocol", "echo.v1");
        click("tryit-connect");
        assertTrue(textOf("tryit-state", "Connected").contains("subprotocol echo.v1"));
        assertNotNull(production.nextHandshake(10, TimeUnit.SECONDS), "the production backend took the console's connection");
        type("tryit-message", "hello over ws");
        click("tryit-send");
        textOf("tryit-log", "← hello over ws");
        textOf("tryit-latency", "Round trip");
        shot("try-it-ws");
        click("tryit-connect");
        textOf("tryit-state", "Closed: 1000");

        // and over wss
        new Select(el("tryit-url")).selectByIndex(1);
        assertTrue(new Select(el("tryit-url")).getFirstSelectedOption().getText().startsWith("wss://"));
        click("tryit-connect");
        textOf("tryit-state", "Connected");
        type("tryit-message", "hello over wss");
        click("tryit-send");
        textOf("tryit-log", "← hello over wss");
        shot("try-it-wss");
        click("tryit-connect");
        textOf("tryit-state", "Closed: 1000");

        // the sandbox keys reach the sandbox backend
        click("generate-keys-SANDBOX");
        click("generate-token-SANDBOX");
        textOf("token-SANDBOX", ".");
        new Select(el("tryit-url")).selectByIndex(0);
        click("tryit-connect");
        textOf("tryit-state", "Connected");
        assertNotNull(sandbox.nextHandshake(10, TimeUnit.SECONDS), "the sandbox backend took the sandbox token's connection");
        type("tryit-message", "hello sandbox");
        click("tryit-send");
        textOf("tryit-log", "← hello sandbox");
        click("tryit-connect");
        textOf("tryit-state", "Closed: 1000");

        // Dashboard: a client that connects and a handshake refused after the page opened show up by themselves
        driver.findElement(By.cssSelector("nav a[data-section=dashboard]")).click();
        textOf("dashboard-updated", "Updated");
        assertTrue(!driver.findElement(By.id("live-connections")).getText().contains("ConsoleApp"));
        WsClient live = WsClient.connect(java.net.http.HttpClient.newHttpClient(), "ws://localhost:" + home.wsPort + "/console-echo/1.0",
                WsClient.bearer(token));
        ManagementApiTest.echo(live, "on the dashboard");
        assertEquals(401, WsClient.handshakeStatus("ws://localhost:" + home.wsPort + "/console-echo/1.0", "not-a-token"));
        textOf("live-connections", "ConsoleEcho 1.0 · ConsoleApp");
        textOf("rejections", "401 invalid_token");
        shot("dashboard");
        live.ws.sendClose(1000, "").join();

        // Publisher again: an AsyncAPI document imported with its channels as topics, published, blocked
        Path doc = tmp.resolve("chat.yaml");
        Files.writeString(doc, "asyncapi: '2.6.0'\ninfo:\n  title: ConsoleChat\n  version: '1.0'\n"
                + "servers:\n  production:\n    url: " + production.url() + "\n    protocol: ws\n"
                + "channels:\n  /rooms/{room}:\n    subscribe:\n      message: {payload: {type: string}}\n"
                + "  /notifications:\n    publish:\n      message: {payload: {type: string}}\n");
        driver.findElement(By.cssSelector("nav a[data-section=publisher]")).click();
        el("asyncapi-file").sendKeys(doc.toAbsolutePath().toString());
        type("asyncapi-context", "/console-chat");
        click("import-button");
        assertTrue(textOf("api-status", "CREATED").length() > 0);
        assertTrue(driver.getPageSource().contains("/rooms/{room}") && driver.getPageSource().contains("/notifications"));
        click("lifecycle-Publish");
        textOf("api-status", "PUBLISHED");
        assertEquals(401, WsClient.handshakeStatus("ws://localhost:" + home.wsPort + "/console-chat/1.0/notifications", "x"),
                "deployed: its topic asks for a token");
        click("download-asyncapi");
        click("lifecycle-Block");
        textOf("api-status", "BLOCKED");
        assertEquals(404, WsClient.handshakeStatus("ws://localhost:" + home.wsPort + "/console-chat/1.0/notifications", "x"));
        assertEquals("", driver.findElement(By.id("lifecycle-error")).getText());
        shot("asyncapi-blocked");

        // a phone's width: nothing wider than the screen
        driver.manage().window().setSize(new Dimension(390, 844));
        driver.get(console + "console/#/devportal");
        el("store-apis");
        shot("phone-devportal");
        Object overflow = ((JavascriptExecutor) driver).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertEquals(0L, ((Number) overflow).longValue(), "no horizontal scrolling at 390 px");
        driver.manage().window().setSize(new Dimension(1280, 800));

        List<String> severe = new java.util.ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            // the refused sandbox test of the dead endpoint is the gateway's, not the page's; a failed fetch is logged by Chromium
            if (e.getLevel().intValue() >= Level.SEVERE.intValue() && !e.getMessage().contains("401")
                    && !e.getMessage().contains("400")) {
                severe.add(e.getMessage());
            }
        }
        assertTrue(severe.isEmpty(), "errors in the browser console: " + severe);
    }

    @Test
    void everyAssetIsServedByTheGatewayWithAStrictPolicy() throws Exception {
        java.net.http.HttpClient https = java.net.http.HttpClient.newBuilder().sslContext(trust()).build();
        for (String f : new String[] {"", "index.html", "console.js", "charts.js", "console.css"}) {
            java.net.http.HttpResponse<String> r = https.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    "https://localhost:" + home.managementPort + "/console/" + f)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), f);
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("default-src 'self'") && csp.contains("script-src 'self'"), csp);
            // nothing is loaded from elsewhere (the SVG namespace is a name, not a download)
            assertTrue(!r.body().replace("http://www.w3.org/2000/svg", "").matches("(?s).*https?://.*"), f + " names no other origin");
        }
        assertEquals(404, https.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "https://localhost:" + home.managementPort + "/console/../openapi.json")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(404, https.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "https://localhost:" + home.managementPort + "/console/Console.class")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
        // a script's 401 carries no Basic challenge (the browser would open its own dialog); other clients get one
        java.net.http.HttpResponse<String> r = https.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "https://localhost:" + home.managementPort + "/api/am/publisher/v4/apis")).header("X-Requested-With", "synapse-ws-console")
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertTrue(!r.headers().firstValue("WWW-Authenticate").orElse("").contains("Basic"));
        r = https.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + home.managementPort
                + "/api/am/publisher/v4/apis")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").contains("Basic"));
    }

    static javax.net.ssl.SSLContext trust() throws Exception {
        File trust = tmp.resolve("trust.jks").toFile();
        if (!trust.isFile()) {
            KeyStores.trustStoreFor(home.keyStore, "wso2carbon", "wso2carbon", trust);
        }
        return TestHome.trusting(trust);
    }
}
