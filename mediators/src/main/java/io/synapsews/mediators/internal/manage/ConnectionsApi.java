package io.synapsews.mediators.internal.manage;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.synapsews.mediators.ApiProperties;
import io.synapsews.mediators.internal.HttpReply;
import io.synapsews.mediators.internal.analytics.GatewayMetrics;
import io.synapsews.mediators.internal.cluster.ClusterCalls;
import io.synapsews.transport.spi.ClientConnection;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.WebSocketProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The connections API on the management port (AWS API Gateway's {@code @connections} is the model):
 * {@code GET /connections?api=&application=&user=} lists the connections of every node, {@code GET /connections/{id}}
 * describes one, {@code POST /connections/{id}} sends the request body to that client (binary for
 * {@code Content-Type: application/octet-stream} or {@code ?type=binary}, else text, which must be UTF-8), and
 * {@code DELETE /connections/{id}?code=&reason=} closes it (1000 by default). A connection's id names its node;
 * a call for another node's connection goes to that node over the cluster bus ({@link ClusterCalls}) and its
 * answer comes back. An id that no node has open is 410 Gone; a live node that does not answer in time, 504.
 */
public final class ConnectionsApi {

    private static final Log log = LogFactory.getLog(ConnectionsApi.class);

    /** The nodes alive now, this one included (from the shared store's heartbeats). */
    public interface Nodes {
        List<String> live() throws Exception;
    }

    private final String nodeId;
    private final LiveConnections live;
    private final GatewayMetrics metrics;
    /** Null on a single node (no shared store): then only this node's connections exist. */
    private final ClusterCalls calls;
    private final Nodes nodes;

    public ConnectionsApi(String nodeId, LiveConnections live, GatewayMetrics metrics, ClusterCalls calls, Nodes nodes) {
        this.nodeId = nodeId;
        this.live = live;
        this.metrics = metrics;
        this.calls = calls;
        this.nodes = nodes;
    }

    // ---- what this node answers, for itself and for the others

    /** Operations: list (api, application, user), get (id), send (id, text|binary, base64 data), close (id, code, reason). */
    public ClusterCalls.Answer answer(String op, String[] args) {
        switch (op) {
            case "list": {
                List<Object> items = new ArrayList<>();
                for (ClientConnection c : live.select(c -> matches(c, ApiProperties.API, args, 0)
                        && matches(c, ApiProperties.APPLICATION, args, 1) && matches(c, ApiProperties.SUBSCRIBER, args, 2))) {
                    items.add(describe(c));
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("list", items);
                return new ClusterCalls.Answer(200, JSONObjectUtils.toJSONString(body));
            }
            case "get":
            case "send":
            case "close": {
                ClientConnection c = args.length == 0 ? null : live.get(args[0]);
                if (c == null) {
                    return gone(args.length == 0 ? "" : args[0]);
                }
                if ("get".equals(op)) {
                    return new ClusterCalls.Answer(200, JSONObjectUtils.toJSONString(describe(c)));
                }
                if ("send".equals(op)) {
                    return send(c, args.length > 1 ? args[1] : "text", args.length > 2 ? args[2] : "");
                }
                int code = args.length > 1 && args[1].matches("[0-9]{4}") ? Integer.parseInt(args[1]) : CloseCodes.NORMAL;
                // out of the registry at once: a closing connection is no longer listed, described or sent to
                live.close(x -> x == c, CloseCodes.sendable(code) ? code : CloseCodes.NORMAL, args.length > 2 ? CloseCodes.reason(args[2]) : "");
                log.info("connections API: closed " + LiveConnections.idOf(c) + " with " + code);
                return new ClusterCalls.Answer(204, "");
            }
            default:
                return new ClusterCalls.Answer(400, "{}");
        }
    }

    private static boolean matches(ClientConnection c, String attribute, String[] args, int i) {
        String want = i < args.length ? args[i] : "";
        return want.isEmpty() || want.equals(String.valueOf(c.attributes().get(attribute)));
    }

    private Map<String, Object> describe(ClientConnection c) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("connectionId", LiveConnections.idOf(c));
        d.put("node", nodeId);
        d.put("endpoint", c.endpointName());
        d.put("path", c.path());
        d.put("api", attr(c, ApiProperties.API));
        d.put("version", attr(c, ApiProperties.VERSION));
        d.put("application", attr(c, ApiProperties.APPLICATION));
        d.put("user", attr(c, ApiProperties.SUBSCRIBER));
        d.put("keyType", attr(c, ApiProperties.KEY_TYPE));
        d.put("clientIp", attr(c, WebSocketProperties.CLIENT_IP));
        d.put("connectedAt", c.openedAtMillis() == 0 ? "" : Instant.ofEpochMilli(c.openedAtMillis()).toString());
        long[] t = metrics.totals(c);
        d.put("messagesIn", t == null ? 0 : t[0]);
        d.put("messagesOut", t == null ? 0 : t[1]);
        d.put("bytesIn", t == null ? 0 : t[2]);
        d.put("bytesOut", t == null ? 0 : t[3]);
        d.put("throttled", t == null ? 0 : t[4]);
        return d;
    }

    private static String attr(ClientConnection c, String name) {
        Object v = c.attributes().get(name);
        return v == null ? "" : String.valueOf(v);
    }

    private ClusterCalls.Answer send(ClientConnection c, String type, String data) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            return new ClusterCalls.Answer(400, error(400, "Bad Request", "the data is not base64", null));
        }
        if (!c.isWritable()) {
            return new ClusterCalls.Answer(429, error(429, "Too Many Requests",
                    "the client is not reading what it is sent; try again later", null));
        }
        c.deliver("binary".equals(type) ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes))
                : new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("connectionId", LiveConnections.idOf(c));
        body.put("type", "binary".equals(type) ? "binary" : "text");
        body.put("bytes", bytes.length);
        return new ClusterCalls.Answer(200, JSONObjectUtils.toJSONString(body));
    }

    private static ClusterCalls.Answer gone(String id) {
        return new ClusterCalls.Answer(410, error(410, "Gone", "no node has the connection '" + id + "' open", null));
    }

    private static String error(int status, String message, String description, String field) {
        return new String(bodyOf(Management.error(status, message, description, field)), StandardCharsets.UTF_8);
    }

    private static byte[] bodyOf(HttpReply r) {
        return r.body();
    }

    // ---- the HTTP surface (authorized by the management server)

    public HttpReply handle(FullHttpRequest req) {
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String path = q.path();
        String method = req.method().name();
        if ("/connections".equals(path) || "/connections/".equals(path)) {
            if (!"GET".equals(method)) {
                return Management.error(405, "Method Not Allowed", method + " is not allowed here", null).header("Allow", "GET");
            }
            return list(param(q, "api"), param(q, "application"), param(q, "user"));
        }
        String id = QueryStringDecoder.decodeComponent(path.substring("/connections/".length()));
        String[] args;
        switch (method) {
            case "GET":
                args = new String[] {id};
                break;
            case "POST": {
                byte[] bytes = ByteBufUtil.getBytes(req.content());
                String type = param(q, "type");
                if (type.isEmpty()) {
                    String ct = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
                    type = ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/octet-stream") ? "binary" : "text";
                }
                if (!"text".equals(type) && !"binary".equals(type)) {
                    return Management.error(400, "Bad Request", "must be text or binary", "type");
                }
                if ("text".equals(type) && !utf8(bytes)) {
                    return Management.error(400, "Bad Request", "is not UTF-8 text (send binary data with Content-Type:"
                            + " application/octet-stream)", "body");
                }
                args = new String[] {id, type, Base64.getEncoder().encodeToString(bytes)};
                break;
            }
            case "DELETE": {
                String code = param(q, "code");
                if (!code.isEmpty() && (!code.matches("[0-9]{4}") || !CloseCodes.sendable(Integer.parseInt(code)))) {
                    return Management.error(400, "Bad Request", "must be a close code an endpoint may send: 1000-1003,"
                            + " 1007-1014 or 3000-4999", "code");
                }
                String reason = param(q, "reason");
                if (reason.getBytes(StandardCharsets.UTF_8).length > CloseCodes.MAX_REASON_BYTES) {
                    return Management.error(400, "Bad Request", "is over " + CloseCodes.MAX_REASON_BYTES + " bytes", "reason");
                }
                args = new String[] {id, code.isEmpty() ? String.valueOf(CloseCodes.NORMAL) : code, reason};
                break;
            }
            default:
                return Management.error(405, "Method Not Allowed", method + " is not allowed here", null)
                        .header("Allow", "GET, POST, DELETE");
        }
        String op = "GET".equals(method) ? "get" : "POST".equals(method) ? "send" : "close";
        String owner = LiveConnections.nodeOf(id);
        if (owner == null || owner.equals(nodeId) || calls == null) {
            return reply(owner == null || !owner.equals(nodeId) ? gone(id) : answer(op, args));
        }
        return HttpReply.later(calls.ask(owner, op, args).thenApply(a -> {
            if (a != null) {
                return reply(a);
            }
            boolean alive;
            try {
                alive = nodes.live().contains(owner);
            } catch (Exception e) {
                alive = true; // cannot tell: say it timed out rather than that the connection is gone
            }
            return alive ? Management.error(504, "Gateway Timeout", "node " + owner + " did not answer within "
                    + calls.timeoutMillis() + " ms", null) : reply(gone(id));
        }));
    }

    private HttpReply list(String api, String application, String user) {
        ClusterCalls.Answer mine = answer("list", new String[] {api, application, user});
        if (calls == null) {
            return merged(mine, Map.of(), List.of(nodeId));
        }
        List<String> alive;
        try {
            alive = nodes.live();
        } catch (Exception e) {
            log.warn("connections API: cannot learn the live nodes (" + e.getMessage() + "); listing this node's connections only");
            return merged(mine, Map.of(), List.of(nodeId));
        }
        CompletableFuture<Map<String, ClusterCalls.Answer>> others = calls.askAll(alive, "list", api, application, user);
        return HttpReply.later(others.thenApply(m -> merged(mine, m, alive)));
    }

    private HttpReply merged(ClusterCalls.Answer mine, Map<String, ClusterCalls.Answer> others, List<String> alive) {
        List<Object> items = new ArrayList<>();
        List<String> answered = new ArrayList<>();
        answered.add(nodeId);
        addAll(items, mine);
        others.forEach((node, a) -> {
            answered.add(node);
            addAll(items, a);
        });
        List<String> missing = new ArrayList<>();
        for (String n : alive) {
            if (!answered.contains(n)) {
                missing.add(n);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", items.size());
        body.put("list", items);
        body.put("nodes", answered);
        body.put("unansweredNodes", missing);
        return HttpReply.json(200, JSONObjectUtils.toJSONString(body));
    }

    private static void addAll(List<Object> items, ClusterCalls.Answer a) {
        if (a.status != 200) {
            return;
        }
        try {
            Object list = JSONObjectUtils.parse(a.body).get("list");
            if (list instanceof List) {
                items.addAll((List<?>) list);
            }
        } catch (java.text.ParseException e) {
            log.warn("connections API: a node's list is not JSON: " + e.getMessage());
        }
    }

    private static HttpReply reply(ClusterCalls.Answer a) {
        return a.status == 204 ? HttpReply.text(204, "") : HttpReply.json(a.status, a.body);
    }

    private static String param(QueryStringDecoder q, String name) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() || v.get(0) == null ? "" : v.get(0);
    }

    private static boolean utf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
