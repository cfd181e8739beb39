package io.synapsews.mediators.internal.throttle;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLSocketFactory;

/**
 * A small blocking RESP2 client for the few commands the counter store sends (EVAL, PING, AUTH, SELECT, SENTINEL):
 * one connection, one command at a time, reconnected by the next command after a failure. URIs:
 * {@code redis://[[user]:password@]host[:port][/db]}, {@code rediss://...} (TLS, the JVM's trust), and
 * {@code redis-sentinel://[password@]host1:26379,host2:26379[/db]?masterName=mymaster} (the master is asked of
 * the sentinels in turn at each connect).
 */
public final class RedisConnection implements AutoCloseable {

    /** An error reply of the server ({@code -ERR ...}). */
    static final class RedisError extends IOException {
        private static final long serialVersionUID = 1L;

        RedisError(String message) {
            super(message);
        }
    }

    private final List<InetSocketAddress> addresses = new ArrayList<>();
    private final boolean tls;
    private final boolean sentinel;
    private final String masterName;
    private final String user;
    private final String password;
    private final int database;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    public RedisConnection(String uri, int timeoutMillis) {
        URI u = URI.create(uri);
        String scheme = u.getScheme() == null ? "" : u.getScheme();
        if (!scheme.equals("redis") && !scheme.equals("rediss") && !scheme.equals("redis-sentinel")) {
            throw new IllegalArgumentException("not a redis://, rediss:// or redis-sentinel:// URI: " + uri);
        }
        this.tls = scheme.equals("rediss");
        this.sentinel = scheme.equals("redis-sentinel");
        this.timeoutMillis = timeoutMillis;
        String authority = u.getRawAuthority();
        if (authority == null) {
            throw new IllegalArgumentException("no host in " + uri);
        }
        String hosts = authority;
        String userInfo = null;
        if (authority.contains("@")) {
            userInfo = authority.substring(0, authority.lastIndexOf('@'));
            hosts = authority.substring(authority.lastIndexOf('@') + 1);
        }
        if (userInfo == null) {
            user = null;
            password = null;
        } else if (userInfo.contains(":")) {
            String u0 = decode(userInfo.substring(0, userInfo.indexOf(':')));
            user = u0.isEmpty() ? null : u0;
            password = decode(userInfo.substring(userInfo.indexOf(':') + 1));
        } else {
            user = null;
            password = decode(userInfo);
        }
        for (String hp : hosts.split(",")) {
            int colon = hp.lastIndexOf(':');
            String host = colon < 0 ? hp : hp.substring(0, colon);
            int port = colon < 0 ? (sentinel ? 26379 : 6379) : Integer.parseInt(hp.substring(colon + 1));
            addresses.add(InetSocketAddress.createUnresolved(host.replace("[", "").replace("]", ""), port));
        }
        String path = u.getPath() == null ? "" : u.getPath().replace("/", "");
        this.database = path.isEmpty() ? 0 : Integer.parseInt(path);
        String master = null;
        if (u.getQuery() != null) {
            for (String kv : u.getQuery().split("&")) {
                if (kv.startsWith("masterName=")) {
                    master = kv.substring("masterName=".length());
                }
            }
        }
        if (sentinel && master == null) {
            throw new IllegalArgumentException("a redis-sentinel:// URI needs ?masterName=");
        }
        this.masterName = master;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Sends one command and returns its reply: Long, String, List, or null; an error reply throws {@link RedisError}. */
    public synchronized Object command(String... args) throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            write(out, args);
            return read(in);
        } catch (RedisError e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e instanceof IOException ? (IOException) e : new IOException(e);
        }
    }

    /**
     * Subscribes to {@code channel} and hands each message's payload to {@code onMessage} until the connection
     * fails (then it throws); meant for a connection of its own, on a thread of its own.
     */
    public void listen(String channel, java.util.function.Consumer<String> onMessage, Runnable onSubscribed) throws IOException {
        InputStream i;
        synchronized (this) {
            closeQuietly();
            connect();
            socket.setSoTimeout(0); // a subscriber waits as long as nothing is published
            write(out, "SUBSCRIBE", channel);
            i = in;
        }
        read(i); // the subscription's confirmation
        onSubscribed.run();
        while (true) {
            Object m = read(i);
            if (m instanceof List && ((List<?>) m).size() == 3 && "message".equals(((List<?>) m).get(0))) {
                onMessage.accept(String.valueOf(((List<?>) m).get(2)));
            }
        }
    }

    private void connect() throws IOException {
        InetSocketAddress target = addresses.get(0);
        if (sentinel) {
            target = master();
        }
        Socket s = open(target, tls);
        try {
            InputStream i = new BufferedInputStream(s.getInputStream());
            OutputStream o = new BufferedOutputStream(s.getOutputStream());
            if (password != null) {
                write(o, user == null ? new String[] {"AUTH", password} : new String[] {"AUTH", user, password});
                read(i);
            }
            if (database != 0) {
                write(o, "SELECT", String.valueOf(database));
                read(i);
            }
            socket = s;
            in = i;
            out = o;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private InetSocketAddress master() throws IOException {
        IOException last = null;
        for (InetSocketAddress a : addresses) {
            try (Socket s = open(a, false)) {
                InputStream i = new BufferedInputStream(s.getInputStream());
                OutputStream o = new BufferedOutputStream(s.getOutputStream());
                write(o, "SENTINEL", "get-master-addr-by-name", masterName);
                Object r = read(i);
                if (r instanceof List && ((List<?>) r).size() == 2) {
                    List<?> l = (List<?>) r;
                    return InetSocketAddress.createUnresolved(String.valueOf(l.get(0)), Integer.parseInt(String.valueOf(l.get(1))));
                }
                last = new IOException("sentinel " + a + " knows no master " + masterName);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last == null ? new IOException("no sentinel") : last;
    }

    private Socket open(InetSocketAddress a, boolean secure) throws IOException {
        Socket s = secure ? SSLSocketFactory.getDefault().createSocket() : new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMillis);
            s.connect(new InetSocketAddress(a.getHostString(), a.getPort()), timeoutMillis);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static void write(OutputStream o, String... args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(('*' + String.valueOf(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.write(('$' + String.valueOf(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.write(bytes);
            b.write('\r');
            b.write('\n');
        }
        b.writeTo(o);
        o.flush();
    }

    private static Object read(InputStream i) throws IOException {
        int type = i.read();
        if (type < 0) {
            throw new IOException("the Redis server closed the connection");
        }
        String line = line(i);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new RedisError(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] data = i.readNBytes(n);
                if (data.length != n || i.read() != '\r' || i.read() != '\n') {
                    throw new IOException("a truncated bulk reply");
                }
                return new String(data, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> l = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                    l.add(read(i));
                }
                return l;
            }
            default:
                throw new IOException("not a RESP reply: type byte " + type);
        }
    }

    private static String line(InputStream i) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = i.read();
            if (c < 0) {
                throw new IOException("the Redis server closed the connection mid-reply");
            }
            if (c == '\r') {
                if (i.read() != '\n') {
                    throw new IOException("a reply line without LF");
                }
                return b.toString();
            }
            if (b.length() > 64 * 1024) {
                throw new IOException("a reply line longer than 64 KiB");
            }
            b.append((char) c);
        }
    }

    private void closeQuietly() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
        socket = null;
        in = null;
        out = null;
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }
}
