package io.synapsews.inbound;

import java.util.Arrays;
import java.util.List;

/**
 * The example subprotocol handler (see {@code sample-configs}): a client that offers {@code json} gets its
 * text messages built as {@code application/json}, one that offers {@code xml} as {@code application/xml},
 * whatever the endpoint's {@code ws.default.content.type}.
 */
public final class ContentTypeSubprotocols implements SubprotocolHandler {

    @Override
    public List<String> identifiers() {
        return Arrays.asList("json", "xml");
    }

    @Override
    public String contentType(String identifier) {
        return "xml".equals(identifier) ? "application/xml" : "application/json";
    }
}
