package io.synapsews.mediators.internal.manage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.synapsews.mediators.internal.HttpReply;

/**
 * The web console's files, served from the bundle under {@code /console/}: plain ES modules, no build step,
 * nothing fetched from elsewhere. Only the files named here are served; everything the console shows or
 * changes goes through the public management REST APIs with the signed-in user's credentials.
 */
final class Console {

    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "charts.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    /** No script, style or connection from another origin; WebSockets to the gateway's own listeners. */
    private static final String CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:;"
            + " style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'";

    private Console() {
    }

    static HttpReply serve(FullHttpRequest req) {
        if (!"GET".equals(req.method().name()) && !"HEAD".equals(req.method().name())) {
            return HttpReply.text(405, "the console's files are read with GET\n").header("Allow", "GET, HEAD");
        }
        String path = new QueryStringDecoder(req.uri()).path().substring(Management.CONSOLE.length() + 1);
        String name = path.isEmpty() ? "index.html" : path;
        String type = FILES.get(name);
        if (type == null) {
            return HttpReply.text(404, "no such console file\n");
        }
        try (InputStream in = Console.class.getResourceAsStream("console/" + name)) {
            if (in == null) {
                return HttpReply.text(500, "console file " + name + " is missing from the bundle\n");
            }
            return HttpReply.bytes(200, type, in.readAllBytes()).header("Content-Security-Policy", CSP)
                    .header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "no-referrer");
        } catch (IOException e) {
            return HttpReply.text(500, "console file " + name + " cannot be read: " + e.getMessage() + "\n");
        }
    }
}
