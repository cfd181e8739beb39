package io.synapsews.transport.spi;

import java.util.List;

import org.apache.axis2.transport.TransportSender;

/**
 * The WebSocket transport as an OSGi service, registered by the transport bundle's Declarative Services
 * component (service properties {@code transport.protocols} = ws, wss and {@code transport.sender.class}).
 * Inside a Carbon server the senders still come from the {@code transportSender} blocks of
 * {@code axis2.xml}; the service lets other bundles find the transport and create a sender the same way.
 * The same component picks up every {@link ConnectionListener} service (whiteboard) and reports
 * connections to it.
 */
public interface WebSocketTransport {

    /** The URL schemes the sender serves: {@code ws} and {@code wss}. */
    List<String> protocols();

    /** A new, not yet initialised sender, as Axis2 creates one from a {@code transportSender} block. */
    TransportSender newSender();
}
