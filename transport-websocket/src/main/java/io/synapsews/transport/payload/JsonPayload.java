package io.synapsews.transport.payload;

import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.apache.axiom.om.OMDataSourceExt;
import org.apache.axiom.om.ds.AbstractPullOMDataSource;
import org.apache.axis2.context.MessageContext;

/**
 * A JSON message as it arrived, behind an Axiom {@code OMSourcedElement} named after its top-level key.
 * Nothing is parsed until a mediator reads the payload; then {@link MappedJson} reads it in one pass (the
 * same tree axis2-json's mapped builder makes), or, for a shape it does not cover, axis2-json's builder.
 * A message that leaves as the tree it was read into goes out as these bytes ({@link PayloadCodec#toFrame}).
 */
final class JsonPayload extends AbstractPullOMDataSource {

    /**
     * The message's bytes and what they were read into, shared by the copies Axiom makes when Synapse clones
     * the envelope, and kept on the message context ({@link PayloadCodec#JSON_READ}): Axiom drops the data source
     * of an element once it is expanded.
     */
    static final class Read {
        final byte[] bytes;
        /** The events the payload was read into, when {@link MappedJson} covered it. */
        volatile MappedJson events;

        Read(byte[] bytes) {
            this.bytes = bytes;
        }
    }

    final Read read;
    private final String contentType;
    private final MessageContext axis2Ctx;
    private final PayloadCounters counters;

    JsonPayload(Read read, String contentType, MessageContext axis2Ctx, PayloadCounters counters) {
        this.counters = counters;
        this.read = read;
        this.contentType = contentType;
        this.axis2Ctx = axis2Ctx;
    }

    @Override
    public XMLStreamReader getReader() throws XMLStreamException {
        counters.built.increment();
        MappedJson json = read.events != null ? read.events : MappedJson.parse(read.bytes);
        if (json != null) {
            read.events = json;
            return new MappedJsonReader(json);
        }
        return PayloadCodec.builtReader(read.bytes, contentType, axis2Ctx);
    }

    @Override
    public boolean isDestructiveRead() {
        return false;
    }

    /** Synapse clones the envelope on every {@code <send>}: an unread clone stays unread. */
    @Override
    public OMDataSourceExt copy() {
        return new JsonPayload(read, contentType, axis2Ctx, counters);
    }
}
