package io.synapsews.gateway;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client over a plain socket that writes whatever frames a test builds, legal or not
 * (reserved bits, unknown opcodes, unmasked, fragmented control frames), and reads the frames the
 * server sends back one by one. For conformance and fault tests; {@link WsClient} is the well-behaved one.
 */
final class RawWs implements AutoCloseable {

    static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xA;

    /** A frame as the server sent it. */
    static final class Frame {
        final boolean fin;
        final int rsv;
        final int opcode;
        final byte[] payload;

        Frame(boolean fin, int rsv, int opcode, byte[] payload) {
            this.fin = fin;
            this.rsv = rsv;
            this.opcode = opcode;
            this.payload = payload;
        }

        /** The status code of a close frame, 1005 when it has none. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "frame(op=" + opcode + ", fin=" + fin + ", rsv=" + rsv + ", " + payload.length + " bytes"
                    + (opcode == CLOSE ? ", code " + closeCode() : "") + ")";
        }
    }

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    final String handshakeResponse;

    private RawWs(Socket socket, String handshakeResponse) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.handshakeResponse = handshakeResponse;
    }

    /** Connects and upgrades; fails unless the answer is 101. */
    static RawWs connect(int port, String path) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        s.setTcpNoDelay(true);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        String head = readHead(s.getInputStream());
        if (!head.startsWith("HTTP/1.1 101")) {
            s.close();
            throw new IOException("handshake refused: " + head);
        }
        return new RawWs(s, head);
    }

    /** An HTTP head (request or status line and headers) up to its blank line. */
    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** Writes one masked frame. */
    RawWs send(boolean fin, int rsv, int opcode, byte[] payload) throws IOException {
        return send(fin, rsv, opcode, payload, true);
    }

    RawWs send(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | (opcode & 0xF));
        int maskBit = masked ? 0x80 : 0;
        if (payload.length <= 125) {
            f.write(maskBit | payload.length);
        } else if (payload.length <= 0xFFFF) {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xFF);
        } else {
            f.write(maskBit | 127);
            long len = payload.length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) (len >>> shift) & 0xFF);
            }
        }
        byte[] body = payload.clone();
        if (masked) {
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            f.write(mask, 0, 4);
            for (int i = 0; i < body.length; i++) {
                body[i] ^= mask[i & 3];
            }
        }
        f.write(body, 0, body.length);
        out.write(f.toByteArray());
        out.flush();
        return this;
    }

    /**
     * Writes only the header of a masked frame that announces {@code length} payload bytes (for limits:
     * a server must refuse an oversized frame from its header, before the payload arrives).
     */
    RawWs sendHeader(int opcode, long length) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(14);
        f.write(0x80 | opcode);
        f.write(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            f.write((int) (length >>> shift) & 0xFF);
        }
        f.write(new byte[4], 0, 4);
        out.write(f.toByteArray());
        out.flush();
        return this;
    }

    RawWs text(String s) throws IOException {
        return send(true, 0, TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    /** A close frame with this code and reason. */
    static byte[] closePayload(int code, byte[] reason) {
        byte[] p = new byte[2 + reason.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(reason, 0, p, 2, reason.length);
        return p;
    }

    /** The next frame from the server, or null when the connection ended or nothing came in time. */
    Frame read() throws IOException {
        try {
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = in.readUnsignedByte();
            if ((b1 & 0x80) != 0) {
                throw new IOException("the server masked a frame");
            }
            long len = b1 & 0x7F;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            return new Frame((b0 & 0x80) != 0, (b0 >>> 4) & 0x7, b0 & 0xF, payload);
        } catch (SocketTimeoutException | EOFException e) {
            return null;
        } catch (SocketException e) {
            return null; // reset by the server
        }
    }

    /** The next data message (reassembled), skipping pongs; the close frame if one comes first; null at the end. */
    Frame readMessage() throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int opcode = -1;
        while (true) {
            Frame f = read();
            if (f == null || f.opcode == CLOSE) {
                return f;
            }
            if (f.opcode == PONG || f.opcode == PING) {
                continue;
            }
            if (opcode < 0) {
                opcode = f.opcode;
            }
            data.write(f.payload, 0, f.payload.length);
            if (f.fin) {
                return new Frame(true, 0, opcode, data.toByteArray());
            }
        }
    }

    /** Reads until a close frame (returned) or the end (null), dropping data frames. */
    Frame awaitClose() throws IOException {
        while (true) {
            Frame f = read();
            if (f == null || f.opcode == CLOSE) {
                return f;
            }
        }
    }

    /** True when the server has closed the TCP connection (after a close handshake). */
    boolean endedWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
