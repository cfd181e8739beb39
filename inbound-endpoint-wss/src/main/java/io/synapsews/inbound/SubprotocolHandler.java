package io.synapsews.inbound;

import java.util.List;

/**
 * A subprotocol the gateway itself speaks with clients, named in an inbound endpoint's
 * {@code ws.subprotocol.handler.class} ({@code ;}-separated classes with a public no-argument
 * constructor). When a client offers one of its identifiers, the gateway answers the handshake with the
 * first it offered, does not pass that entry on to the backend, and builds the connection's text
 * messages with the content type the handler gives for it.
 */
public interface SubprotocolHandler {

    /** The subprotocol identifiers this handler speaks. */
    List<String> identifiers();

    /** The content type that text messages of a connection speaking {@code identifier} are built with. */
    String contentType(String identifier);
}
