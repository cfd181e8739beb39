package io.synapsews.gateway;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file in {@code sample-configs/} is what a server home gets (the demo home is written from it,
 * with free ports and the test's backend), and the gateway deploys all of them as shipped: both inbound
 * endpoints listen, the websocketGateway startup starts, and nothing is logged at ERROR.
 */
class SampleConfigsTest {

    @TempDir
    Path tmp;

    @Test
    void everySampleFileIsInTheHomeAndDeploysWithoutAnError() throws Exception {
        Path samples = Paths.get("..", "sample-configs");
        LogCapture log = LogCapture.install();
        try (EchoBackend backend = new EchoBackend(0)) {
            TestHome home = new TestHome(tmp.resolve("home").toFile(), backend.url());
            List<String> shipped;
            try (Stream<Path> files = Files.walk(samples)) {
                shipped = files.filter(Files::isRegularFile).map(p -> samples.relativize(p).toString()).sorted()
                        .collect(Collectors.toList());
            }
            assertTrue(shipped.size() >= 12, "sample files: " + shipped);
            for (String f : shipped) {
                assertTrue(new File(home.dir, f).isFile(), f + " is not in the home");
            }
            try (Gateway gateway = Gateway.start(home.dir)) {
                List<String> lines = log.messagesSince(0);
                for (String endpoint : new String[] {"WebSocketInboundEndpoint", "SecureWebSocketInboundEndpoint"}) {
                    assertTrue(lines.stream().anyMatch(l -> l.contains("'" + endpoint + "' listening")), endpoint + " does not listen");
                }
                assertTrue(lines.stream().anyMatch(l -> l.contains("websocket gateway 'WebSocketGateway' started")),
                        String.join("\n", lines));
                List<String> errors = log.events.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                        .map(e -> e.getRenderedMessage()).collect(Collectors.toList());
                assertEquals(List.of(), errors);
            }
        }
    }
}
