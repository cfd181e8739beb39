package io.synapsews.transport.spi;

/**
 * A mediator whose effect on a data message (not a handshake) is a {@link MessageStep}: it reads
 * nothing of the message but its connection, direction and size, and sets no property a later
 * mediator could read. A sequence made of such mediators, of filters and switches on properties that
 * are the same for every message of a connection, and of one {@code <send>} to the connection's
 * backend leg (or {@code <respond/>} on the way back) is run as a plan of steps per message (the
 * inbound bundle's compiled lane); anything else is mediated.
 */
public interface CompilableMediator {

    /** This mediator's step for data messages, or null when this configuration of it needs the full engine. */
    MessageStep messageStep();
}
