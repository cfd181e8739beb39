package io.synapsews.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A backend over plain sockets that answers every upgrade with a correct 101 and then does whatever a
 * test tells it (send garbage, stay silent, answer no pings), one thread per connection.
 */
final class RawBackend implements AutoCloseable {

    /** What the backend does with a connection once it has answered the upgrade. */
    interface AfterHandshake {
        void run(Socket socket, InputStream in) throws Exception;
    }

    private final ServerSocket server;

    RawBackend(AfterHandshake behaviour) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> serve(s, behaviour), "raw-backend-connection");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "raw-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "ws://127.0.0.1:" + server.getLocalPort() + "/";
    }

    private static void serve(Socket s, AfterHandshake behaviour) {
        try (Socket socket = s) {
            InputStream in = socket.getInputStream();
            String head = RawWs.readHead(in);
            Matcher key = Pattern.compile("(?i)sec-websocket-key:\\s*(\\S+)").matcher(head);
            if (!key.find()) {
                return;
            }
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key.group(1) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(sha1) + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            behaviour.run(socket, in);
        } catch (Exception e) {
            // the gateway closed the connection, or the test is over
        }
    }

    /** Reads until the gateway closes its end, answering nothing (not even pings). */
    static void silent(Socket socket, InputStream in) throws IOException {
        byte[] buf = new byte[4096];
        while (in.read(buf) >= 0) {
            // a dead peer: reads, never writes
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
