package io.synapsews.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import static io.synapsews.gateway.RawWs.BINARY;
import static io.synapsews.gateway.RawWs.CLOSE;
import static io.synapsews.gateway.RawWs.CONTINUATION;
import static io.synapsews.gateway.RawWs.PING;
import static io.synapsews.gateway.RawWs.PONG;
import static io.synapsews.gateway.RawWs.TEXT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 6455 conformance through the gateway, by the areas of the Autobahn TestSuite: a client that
 * writes raw frames talks to the gateway, whose backend is a strict peer ({@link EchoBackend}: Netty's
 * decoder with UTF-8 validation, which counts every protocol error it sees). Valid traffic must come
 * back byte for byte; each violation must get the close code the RFC names; and the backend must never
 * see a broken frame. The output reports how many cases ran and passed.
 */
class ConformanceTest {

    @TempDir
    static Path tmp;

    static EchoBackend backend;
    static Gateway gateway;
    static int port;
    /** The same, with a 1 KiB frame and a 4 KiB message limit. */
    static int limitedPort;
    static final AtomicInteger ran = new AtomicInteger();
    static final AtomicInteger passed = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        backend = new EchoBackend(0);
        TestHome home = TestHome.relayingTo(tmp.resolve("home").toFile(), backend.url());
        port = home.addInboundEndpoint("Conformance", "echoSeq", "");
        limitedPort = home.addInboundEndpoint("Limited", "echoSeq", "<parameter name=\"ws.max.frame.size\">1024</parameter>"
                + "<parameter name=\"ws.max.message.size\">4096</parameter>");
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        System.out.println("RFC 6455 conformance through the gateway: " + ran.get() + " cases ran, " + passed.get() + " passed");
        TestHome.closeAll(gateway, backend);
        assertEquals(0, backend.protocolErrors(), "protocol errors the strict backend saw");
    }

    /** One case: what the client does and what it must see. */
    private interface Case {
        void run(RawWs ws) throws Exception;
    }

    private static DynamicTest test(String area, String name, Case c) {
        return test(port, area, name, c);
    }

    private static DynamicTest test(int endpointPort, String area, String name, Case c) {
        return DynamicTest.dynamicTest(area + ": " + name, () -> {
            ran.incrementAndGet();
            int errorsBefore = backend.protocolErrors();
            try (RawWs ws = RawWs.connect(endpointPort, "/conformance")) {
                c.run(ws);
            }
            assertEquals(errorsBefore, backend.protocolErrors(), "the backend saw a frame that breaks RFC 6455");
            passed.incrementAndGet();
        });
    }

    // ---- expectations

    private static void echoed(RawWs ws, int opcode, byte[] payload) throws Exception {
        RawWs.Frame m = ws.readMessage();
        assertNotNull(m, "no answer");
        assertEquals(opcode, m.opcode, "opcode of " + m);
        assertArrayEquals(payload, m.payload, "payload of " + m);
        assertEquals(0, m.rsv);
    }

    /** The gateway closes with this code (or one of these) and ends the TCP connection. */
    private static void closedWith(RawWs ws, int... codes) throws Exception {
        RawWs.Frame close = ws.awaitClose();
        assertNotNull(close, "the gateway ended the connection without a close frame");
        int code = close.closeCode();
        assertTrue(Arrays.stream(codes).anyMatch(c -> c == code), "close code " + code + ", expected " + Arrays.toString(codes));
        assertTrue(close.payload.length <= 125);
        if (close.payload.length > 2) {
            // the reason must itself be UTF-8
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(close.payload, 2, close.payload.length - 2));
        }
        assertTrue(ws.endedWithin(5000), "the gateway kept the TCP connection open after its close");
    }

    /** After a violation the connection must close with 1002. */
    private static void protocolError(RawWs ws) throws Exception {
        closedWith(ws, 1002);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    private static byte[] text(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] hex(String h) {
        String s = h.replace(" ", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    // ---- the cases

    @TestFactory
    Stream<DynamicTest> framing() {
        List<DynamicTest> t = new ArrayList<>();
        for (int len : new int[] {0, 1, 125, 126, 127, 128, 65535, 65536, 65537, 1 << 20}) {
            t.add(test("framing", "text of " + len + " bytes", ws -> {
                byte[] p = text(len);
                ws.send(true, 0, TEXT, p);
                echoed(ws, TEXT, p);
            }));
            t.add(test("framing", "binary of " + len + " bytes", ws -> {
                byte[] p = bytes(len);
                ws.send(true, 0, BINARY, p);
                echoed(ws, BINARY, p);
            }));
        }
        t.add(test("framing", "100 small messages in one write burst keep their order", ws -> {
            for (int i = 0; i < 100; i++) {
                ws.text("m" + i);
            }
            for (int i = 0; i < 100; i++) {
                echoed(ws, TEXT, utf8("m" + i));
            }
        }));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> limits() {
        List<DynamicTest> t = new ArrayList<>();
        t.add(test(limitedPort, "limits", "a frame at the frame limit passes", ws -> {
            byte[] p = bytes(1024);
            ws.send(true, 0, BINARY, p);
            echoed(ws, BINARY, p);
        }));
        t.add(test(limitedPort, "limits", "a frame over the frame limit closes with 1009", ws -> {
            ws.send(true, 0, BINARY, bytes(1025));
            closedWith(ws, 1009);
        }));
        t.add(test(limitedPort, "limits", "a message of four 1 KiB fragments passes", ws -> {
            byte[] p = text(4096);
            ws.send(false, 0, TEXT, Arrays.copyOfRange(p, 0, 1024));
            for (int i = 1; i < 4; i++) {
                ws.send(i == 3, 0, CONTINUATION, Arrays.copyOfRange(p, i * 1024, (i + 1) * 1024));
            }
            echoed(ws, TEXT, p);
        }));
        t.add(test(limitedPort, "limits", "fragments adding up to more than the message limit close with 1009", ws -> {
            ws.send(false, 0, BINARY, bytes(1024));
            for (int i = 0; i < 4; i++) {
                ws.send(false, 0, CONTINUATION, bytes(1024));
            }
            closedWith(ws, 1009);
        }));
        // 0.5 s here; about 10 s under paranoid leak detection, which records a stack trace for each of
        // the four million 4-byte reads Netty's decoder makes to unmask it
        t.add(test("limits", "a 16 MiB message passes by default", ws -> {
            byte[] p = bytes(16 * 1024 * 1024);
            ws.send(true, 0, BINARY, p);
            echoed(ws, BINARY, p);
        }));
        t.add(test("limits", "a frame announcing one byte over 16 MiB closes with 1009 by default", ws -> {
            ws.sendHeader(BINARY, 16 * 1024 * 1024 + 1);
            closedWith(ws, 1009);
        }));
        t.add(test("limits", "a frame announcing 2^62 bytes closes with 1009", ws -> {
            ws.sendHeader(TEXT, 1L << 62);
            closedWith(ws, 1009);
        }));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> fragmentation() {
        List<DynamicTest> t = new ArrayList<>();
        t.add(test("fragmentation", "text in two fragments", ws -> {
            ws.send(false, 0, TEXT, utf8("frag")).send(true, 0, CONTINUATION, utf8("ment"));
            echoed(ws, TEXT, utf8("fragment"));
        }));
        t.add(test("fragmentation", "binary in three fragments", ws -> {
            byte[] a = bytes(100), b = bytes(70000), c = bytes(1);
            ws.send(false, 0, BINARY, a).send(false, 0, CONTINUATION, b).send(true, 0, CONTINUATION, c);
            byte[] all = new byte[a.length + b.length + c.length];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            System.arraycopy(c, 0, all, a.length + b.length, c.length);
            echoed(ws, BINARY, all);
        }));
        t.add(test("fragmentation", "empty fragments", ws -> {
            ws.send(false, 0, TEXT, new byte[0]).send(false, 0, CONTINUATION, new byte[0])
                    .send(true, 0, CONTINUATION, utf8("x"));
            echoed(ws, TEXT, utf8("x"));
        }));
        t.add(test("fragmentation", "a ping between fragments is answered at once", ws -> {
            ws.send(false, 0, TEXT, utf8("one ")).send(true, 0, PING, utf8("between"));
            RawWs.Frame pong = ws.read();
            assertNotNull(pong);
            assertEquals(PONG, pong.opcode);
            assertArrayEquals(utf8("between"), pong.payload);
            ws.send(true, 0, CONTINUATION, utf8("two"));
            echoed(ws, TEXT, utf8("one two"));
        }));
        t.add(test("fragmentation", "pongs between five fragments are ignored", ws -> {
            ws.send(false, 0, TEXT, utf8("a"));
            for (String s : new String[] {"b", "c", "d"}) {
                ws.send(true, 0, PONG, utf8("p")).send(false, 0, CONTINUATION, utf8(s));
            }
            ws.send(true, 0, CONTINUATION, utf8("e"));
            echoed(ws, TEXT, utf8("abcde"));
        }));
        t.add(test("fragmentation", "a continuation with nothing to continue (fin)", ws -> {
            ws.send(true, 0, CONTINUATION, utf8("orphan"));
            protocolError(ws);
        }));
        t.add(test("fragmentation", "a continuation with nothing to continue (not fin)", ws -> {
            ws.send(false, 0, CONTINUATION, utf8("orphan")).send(true, 0, CONTINUATION, utf8("more"));
            protocolError(ws);
        }));
        t.add(test("fragmentation", "a new text message inside a fragmented one", ws -> {
            ws.send(false, 0, TEXT, utf8("start")).send(true, 0, TEXT, utf8("again"));
            protocolError(ws);
        }));
        t.add(test("fragmentation", "a new binary message inside a fragmented text one", ws -> {
            ws.send(false, 0, TEXT, utf8("start")).send(true, 0, BINARY, bytes(3));
            protocolError(ws);
        }));
        t.add(test("fragmentation", "a fragmented ping", ws -> {
            ws.send(false, 0, PING, utf8("half")).send(true, 0, CONTINUATION, utf8("half"));
            protocolError(ws);
        }));
        t.add(test("fragmentation", "a fragmented pong", ws -> {
            ws.send(false, 0, PONG, utf8("half")).send(true, 0, CONTINUATION, utf8("half"));
            protocolError(ws);
        }));
        t.add(test("fragmentation", "a fragmented close", ws -> {
            ws.send(false, 0, CLOSE, RawWs.closePayload(1000, new byte[0]));
            protocolError(ws);
        }));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> reservedBitsAndOpcodes() {
        List<DynamicTest> t = new ArrayList<>();
        for (int rsv = 1; rsv <= 7; rsv++) {
            int r = rsv;
            t.add(test("reserved bits", "RSV=" + r + " on a text frame", ws -> {
                ws.text("before");
                echoed(ws, TEXT, utf8("before"));
                ws.send(true, r, TEXT, utf8("reserved"));
                protocolError(ws);
            }));
        }
        t.add(test("reserved bits", "RSV on a binary frame", ws -> {
            ws.send(true, 4, BINARY, bytes(10));
            protocolError(ws);
        }));
        t.add(test("reserved bits", "RSV on a ping", ws -> {
            ws.send(true, 2, PING, utf8("x"));
            protocolError(ws);
        }));
        t.add(test("reserved bits", "RSV on a close", ws -> {
            ws.send(true, 1, CLOSE, RawWs.closePayload(1000, new byte[0]));
            protocolError(ws);
        }));
        for (int op : new int[] {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
            t.add(test("opcodes", "reserved opcode " + op, ws -> {
                ws.send(true, 0, op, utf8("what"));
                protocolError(ws);
            }));
        }
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> controlFrames() {
        List<DynamicTest> t = new ArrayList<>();
        for (int len : new int[] {0, 10, 125}) {
            t.add(test("control frames", "ping with " + len + " bytes gets the same pong", ws -> {
                byte[] p = bytes(len);
                ws.send(true, 0, PING, p);
                RawWs.Frame pong = ws.read();
                assertNotNull(pong);
                assertEquals(PONG, pong.opcode);
                assertArrayEquals(p, pong.payload);
            }));
        }
        t.add(test("control frames", "ten pings get ten pongs in order", ws -> {
            for (int i = 0; i < 10; i++) {
                ws.send(true, 0, PING, utf8("p" + i));
            }
            for (int i = 0; i < 10; i++) {
                RawWs.Frame pong = ws.read();
                assertNotNull(pong);
                assertEquals(PONG, pong.opcode);
                assertArrayEquals(utf8("p" + i), pong.payload);
            }
        }));
        t.add(test("control frames", "an unsolicited pong is ignored", ws -> {
            ws.send(true, 0, PONG, utf8("nobody asked")).text("after");
            echoed(ws, TEXT, utf8("after"));
        }));
        t.add(test("control frames", "ping with 126 bytes", ws -> {
            ws.send(true, 0, PING, bytes(126));
            protocolError(ws);
        }));
        t.add(test("control frames", "pong with 126 bytes", ws -> {
            ws.send(true, 0, PONG, bytes(126));
            protocolError(ws);
        }));
        t.add(test("control frames", "close with 126 bytes", ws -> {
            ws.send(true, 0, CLOSE, RawWs.closePayload(1000, text(124)));
            protocolError(ws);
        }));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> utf8Validation() {
        List<DynamicTest> t = new ArrayList<>();
        String[] valid = {"Hello-µ@ßöäüàá-UTF-8!!", "κόσμε", "\uD83D\uDE00 four bytes", "\uFFFF edge", "\u0000 nul"};
        for (String s : valid) {
            t.add(test("UTF-8", "valid " + s.codePoints().limit(6).collect(StringBuilder::new,
                    StringBuilder::appendCodePoint, StringBuilder::append), ws -> {
                ws.text(s);
                echoed(ws, TEXT, utf8(s));
            }));
        }
        t.add(test("UTF-8", "a valid code point split across fragments", ws -> {
            byte[] b = utf8("κόσμε");
            ws.send(false, 0, TEXT, Arrays.copyOfRange(b, 0, 3)).send(true, 0, CONTINUATION, Arrays.copyOfRange(b, 3, b.length));
            echoed(ws, TEXT, b);
        }));
        t.add(test("UTF-8", "a four-byte code point split byte by byte", ws -> {
            byte[] b = utf8("\uD83D\uDE00");
            ws.send(false, 0, TEXT, new byte[] {b[0]}).send(false, 0, CONTINUATION, new byte[] {b[1]})
                    .send(false, 0, CONTINUATION, new byte[] {b[2]}).send(true, 0, CONTINUATION, new byte[] {b[3]});
            echoed(ws, TEXT, b);
        }));
        String[][] invalid = {
            {"overlong slash", "C0 AF"},
            {"overlong nul", "E0 80 80"},
            {"lone surrogate", "ED A0 80"},
            {"above U+10FFFF", "F4 90 80 80"},
            {"byte FE", "FE"},
            {"byte FF", "FF"},
            {"lone continuation", "80"},
            {"truncated at the end", "CE BA E1 BD"},
            {"valid then a surrogate", "CE BA E1 BD B9 CF 83 ED A0 80 65 64 69 74 65 64"},
        };
        for (String[] c : invalid) {
            t.add(test("UTF-8", "invalid: " + c[0], ws -> {
                ws.send(true, 0, TEXT, hex(c[1]));
                closedWith(ws, 1007);
            }));
        }
        t.add(test("UTF-8", "invalid across fragments: the first fragment ends in a lead byte, the next is not a continuation", ws -> {
            ws.send(false, 0, TEXT, hex("CE BA E1")).send(true, 0, CONTINUATION, utf8("AB"));
            closedWith(ws, 1007);
        }));
        t.add(test("UTF-8", "invalid in the first fragment, the rest never sent", ws -> {
            ws.send(false, 0, TEXT, hex("CE BA ED A0 80"));
            closedWith(ws, 1007);
        }));
        t.add(test("UTF-8", "a fragmented message ending in half a code point", ws -> {
            ws.send(false, 0, TEXT, utf8("ok")).send(true, 0, CONTINUATION, hex("E1 BD"));
            closedWith(ws, 1007);
        }));
        t.add(test("UTF-8", "binary is not checked", ws -> {
            ws.send(true, 0, BINARY, hex("C0 AF FE FF"));
            echoed(ws, BINARY, hex("C0 AF FE FF"));
        }));
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> closeHandling() {
        List<DynamicTest> t = new ArrayList<>();
        t.add(test("close", "after a message, close 1000 is answered with 1000", ws -> {
            ws.text("last");
            echoed(ws, TEXT, utf8("last"));
            ws.send(true, 0, CLOSE, RawWs.closePayload(1000, new byte[0]));
            closedWith(ws, 1000);
        }));
        t.add(test("close", "an empty close is answered", ws -> {
            ws.send(true, 0, CLOSE, new byte[0]);
            closedWith(ws, 1000, 1005);
        }));
        t.add(test("close", "close with a reason", ws -> {
            ws.send(true, 0, CLOSE, RawWs.closePayload(1000, utf8("Hello World!")));
            closedWith(ws, 1000);
        }));
        t.add(test("close", "close with a 123-byte reason (the largest)", ws -> {
            ws.send(true, 0, CLOSE, RawWs.closePayload(1000, text(123)));
            closedWith(ws, 1000);
        }));
        t.add(test("close", "close with a 1-byte payload", ws -> {
            ws.send(true, 0, CLOSE, new byte[] {0x03});
            protocolError(ws);
        }));
        t.add(test("close", "close with a reason that is not UTF-8", ws -> {
            ws.send(true, 0, CLOSE, RawWs.closePayload(1000, hex("CE BA E1 BD B9 CF 83 ED A0 80")));
            closedWith(ws, 1002, 1007);
        }));
        t.add(test("close", "data after the close is not relayed", ws -> {
            ws.send(true, 0, CLOSE, RawWs.closePayload(1000, new byte[0])).text("too late");
            RawWs.Frame f = ws.read();
            assertNotNull(f);
            assertEquals(CLOSE, f.opcode, "expected the close answer, got " + f);
        }));
        for (int code : new int[] {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
            t.add(test("close", "valid close code " + code, ws -> {
                ws.send(true, 0, CLOSE, RawWs.closePayload(code, new byte[0]));
                closedWith(ws, code, 1000);
            }));
        }
        for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
            t.add(test("close", "invalid close code " + code, ws -> {
                ws.send(true, 0, CLOSE, RawWs.closePayload(code, new byte[0]));
                protocolError(ws);
            }));
        }
        return t.stream();
    }

    @TestFactory
    Stream<DynamicTest> masking() {
        List<DynamicTest> t = new ArrayList<>();
        t.add(test("masking", "an unmasked text frame", ws -> {
            ws.send(true, 0, TEXT, utf8("naked"), false);
            protocolError(ws);
        }));
        t.add(test("masking", "an unmasked ping", ws -> {
            ws.send(true, 0, PING, utf8("naked"), false);
            protocolError(ws);
        }));
        t.add(test("masking", "an unmasked frame after masked ones", ws -> {
            ws.text("masked");
            echoed(ws, TEXT, utf8("masked"));
            ws.send(true, 0, BINARY, bytes(5), false);
            protocolError(ws);
        }));
        return t.stream();
    }
}
