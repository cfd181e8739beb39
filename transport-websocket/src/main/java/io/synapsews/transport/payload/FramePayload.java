package io.synapsews.transport.payload;

import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.apache.axiom.om.OMDataSourceExt;
import org.apache.axiom.om.ds.AbstractPullOMDataSource;
import org.apache.axis2.context.MessageContext;

/**
 * The payload of a WebSocket text message as it arrived: the frame's bytes behind an Axiom
 * {@code OMSourcedElement}. Nothing is parsed until a mediator reads the payload; a message
 * whose payload nobody read leaves with these same bytes (see {@link PayloadCodec#toFrame}).
 */
final class FramePayload extends AbstractPullOMDataSource {

    final byte[] bytes;
    private final String contentType;
    private final MessageContext axis2Ctx;
    private final PayloadCounters counters;

    FramePayload(byte[] bytes, String contentType, MessageContext axis2Ctx, PayloadCounters counters) {
        this.counters = counters;
        this.bytes = bytes;
        this.contentType = contentType;
        this.axis2Ctx = axis2Ctx;
    }

    @Override
    public XMLStreamReader getReader() throws XMLStreamException {
        counters.built.increment();
        return PayloadCodec.builtReader(bytes, contentType, axis2Ctx);
    }

    @Override
    public boolean isDestructiveRead() {
        return false;
    }

    /** Synapse clones the envelope on every {@code <send>}: the clone keeps the bytes. */
    @Override
    public OMDataSourceExt copy() {
        return new FramePayload(bytes, contentType, axis2Ctx, counters);
    }
}
