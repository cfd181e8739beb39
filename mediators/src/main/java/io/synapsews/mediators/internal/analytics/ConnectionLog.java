package io.synapsews.mediators.internal.analytics;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.synapsews.mediators.ApiProperties;
import io.synapsews.transport.spi.ClientConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** Appends one JSON line per closed client connection to a file. */
public final class ConnectionLog implements AutoCloseable {

    private static final Log log = LogFactory.getLog(ConnectionLog.class);

    private final File file;
    private final OutputStream out;

    public ConnectionLog(File file) throws IOException {
        this.file = file;
        File dir = file.getAbsoluteFile().getParentFile();
        if (dir != null && !dir.isDirectory() && !dir.mkdirs()) {
            throw new IOException("cannot create directory " + dir);
        }
        this.out = new FileOutputStream(file, true);
    }

    void write(ClientConnection c, int code, String reason, GatewayMetrics.ConnectionStats s) {
        long now = System.currentTimeMillis();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.ofEpochMilli(now).toString());
        line.put("connection", c.id());
        line.put("endpoint", c.endpointName());
        line.put("path", c.path());
        line.put("api", GatewayMetrics.attr(c, ApiProperties.API));
        line.put("version", GatewayMetrics.attr(c, ApiProperties.VERSION));
        line.put("application", GatewayMetrics.attr(c, ApiProperties.APPLICATION));
        line.put("keyType", GatewayMetrics.attr(c, ApiProperties.KEY_TYPE));
        line.put("durationMillis", c.openedAtMillis() == 0 ? 0 : now - c.openedAtMillis());
        line.put("messagesIn", s.messagesIn.sum());
        line.put("messagesOut", s.messagesOut.sum());
        line.put("bytesIn", s.bytesIn.sum());
        line.put("bytesOut", s.bytesOut.sum());
        line.put("throttled", s.throttled.sum());
        line.put("closeCode", code);
        line.put("closeReason", reason == null ? "" : reason);
        byte[] bytes = (JSONObjectUtils.toJSONString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                log.warn("connection log " + file + ": cannot write: " + e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            log.warn("connection log " + file + ": cannot close: " + e.getMessage());
        }
    }
}
