package io.synapsews.transport.payload;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import javax.activation.DataHandler;
import javax.activation.DataSource;
import javax.xml.namespace.QName;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.synapsews.transport.mediation.Mediation;
import io.synapsews.transport.spi.WebSocketProperties;
import org.apache.axiom.om.OMAbstractFactory;
import org.apache.axiom.om.OMDataSource;
import org.apache.axiom.om.OMDataSourceExt;
import org.apache.axiom.om.OMElement;
import org.apache.axiom.om.OMFactory;
import org.apache.axiom.om.OMNode;
import org.apache.axiom.om.OMOutputFormat;
import org.apache.axiom.om.OMSourcedElement;
import org.apache.axiom.om.OMText;
import org.apache.axiom.soap.SOAPEnvelope;
import org.apache.axis2.AxisFault;
import org.apache.axis2.builder.Builder;
import org.apache.axis2.builder.BuilderUtil;
import org.apache.axis2.transport.MessageFormatter;
import org.apache.axis2.transport.TransportUtils;
import org.apache.axis2.transport.base.BaseUtils;
import org.apache.axis2.util.MessageProcessorSelector;
import org.apache.synapse.MessageContext;

/**
 * Converts between WebSocket messages and message context payloads. Text becomes the standard
 * {@code <text>} wrapper (or whatever the builder of the configured content type makes of it),
 * binary the {@code <binary>} wrapper; on the way out an untouched wrapper gives back exactly the
 * bytes that came in, and anything else is written by the message formatter of its type.
 */
public final class PayloadCodec {

    public static final String PAYLOAD_NS = "http://ws.apache.org/commons/ns/payload";
    public static final QName TEXT = new QName(PAYLOAD_NS, "text");
    public static final QName BINARY = new QName(PAYLOAD_NS, "binary");

    /** The codec of this runtime (one per transport bundle), the one both legs and the metrics use. */
    private static final PayloadCodec SHARED = new PayloadCodec(new PayloadCounters());

    private final PayloadCounters counters;

    public PayloadCodec(PayloadCounters counters) {
        this.counters = counters;
    }

    public static PayloadCodec shared() {
        return SHARED;
    }

    /** What this codec counted: payloads built, messages left untouched, messages relayed. */
    public PayloadCounters counters() {
        return counters;
    }

    /** Message context property: the JSON message's bytes and what a mediator read them into ({@link JsonPayload}). */
    static final String JSON_READ = "synapsews.json.read";


    /** The frame's payload as a byte array of its own, the frame released (mediation outlives the buffer). */
    public static byte[] drain(WebSocketFrame frame) {
        try {
            return ByteBufUtil.getBytes(frame.content());
        } finally {
            frame.release();
        }
    }

    /** Counts a message relayed as the frame it arrived as, without a message context (the relay lane). */
    public void relayed() {
        counters.relayed.increment();
    }

    /** Counts a message relayed after the steps of its compiled plan let it pass (the compiled lane). */
    public void compiled() {
        counters.compiled.increment();
    }

    /**
     * Sets a text message as the payload. For {@code text/plain} (the default) it is the frame's
     * bytes behind a sourced {@code <text>} element, built only when a mediator reads it; other
     * content types are built by their message builder.
     */
    public void setText(MessageContext synCtx, byte[] utf8, String contentType) throws AxisFault {
        org.apache.axis2.context.MessageContext axis2Ctx = Mediation.axis2(synCtx);
        synCtx.setProperty(WebSocketProperties.PAYLOAD_LENGTH, utf8.length);
        String type = contentType == null ? WebSocketProperties.TEXT_PLAIN : contentType;
        OMFactory f = OMAbstractFactory.getOMFactory();
        if (type.startsWith(WebSocketProperties.TEXT_PLAIN)) {
            setBody(synCtx, f.createOMElement(new FramePayload(utf8, type, axis2Ctx, counters), TEXT.getLocalPart(),
                    f.createOMNamespace(PAYLOAD_NS, "")));
            setType(axis2Ctx, type);
            return;
        }
        Builder builder = builder(type, axis2Ctx);
        String key;
        if (isMappedJson(builder) && (key = firstKey(utf8)) != null) {
            // axis2-json's mapped builder is configured for this type: read it ourselves, when read
            JsonPayload.Read read = new JsonPayload.Read(utf8);
            axis2Ctx.setProperty(JSON_READ, read);
            synCtx.setEnvelope(TransportUtils.createSOAPEnvelope(
                    f.createOMElement(new JsonPayload(read, type, axis2Ctx, counters), key, null)));
        } else {
            // built here: JSON builders need the message's service now
            OMElement doc = named(builder.processDocument(new ByteArrayInputStream(utf8), type, axis2Ctx), utf8);
            synCtx.setEnvelope(TransportUtils.createSOAPEnvelope(doc));
        }
        setType(axis2Ctx, type);
    }

    /**
     * Sets a binary message as the payload: the standard {@code <binary>} wrapper over the frame's
     * bytes (not parsed, and not copied here). Synapse itself reads and rewraps it on
     * {@code <send>} to a non-HTTP address (RelayUtils), so it is not a sourced element.
     */
    public void setBinary(MessageContext synCtx, byte[] data) throws AxisFault {
        synCtx.setProperty(WebSocketProperties.PAYLOAD_LENGTH, data.length);
        setBody(synCtx, binaryElement(data));
        setType(Mediation.axis2(synCtx), WebSocketProperties.OCTET_STREAM);
    }

    private static boolean isTrue(Object v) {
        return v != null && "true".equalsIgnoreCase(v.toString());
    }

    /**
     * Sets a ping or pong passed through as the message's payload (its bytes in the binary wrapper),
     * flagged on both contexts so that the frame that leaves is a ping or pong again.
     */
    public void setControl(MessageContext synCtx, boolean ping, byte[] data) throws AxisFault {
        String flag = ping ? WebSocketProperties.PING_FRAME_PRESENT : WebSocketProperties.PONG_FRAME_PRESENT;
        synCtx.setProperty(flag, "true");
        Mediation.axis2(synCtx).setProperty(flag, "true");
        setBinary(synCtx, data);
    }


    /** Whether {@code builder} is axis2-json's mapped JSON builder itself (not a subclass). */
    private static boolean isMappedJson(Builder builder) {
        return builder.getClass().getName().equals("org.apache.axis2.json.JSONOMBuilder");
    }

    /** The message builder configured for {@code type}. */
    private static Builder builder(String type, org.apache.axis2.context.MessageContext axis2Ctx) throws AxisFault {
        Builder builder = BuilderUtil.getBuilderFromSelector(type, axis2Ctx);
        if (builder == null) {
            throw new AxisFault("no message builder for content type " + type);
        }
        return builder;
    }

    /** The text payload as the builder of {@code type} makes it ({@code <text>} for text/plain). */
    static OMElement textElement(byte[] utf8, String type, org.apache.axis2.context.MessageContext axis2Ctx) throws AxisFault {
        if (type.startsWith(WebSocketProperties.TEXT_PLAIN)) {
            OMFactory f = OMAbstractFactory.getOMFactory();
            // the same name and prefix as the sourced element it expands
            OMElement text = f.createOMElement(TEXT.getLocalPart(), f.createOMNamespace(PAYLOAD_NS, ""));
            text.setText(new String(utf8, StandardCharsets.UTF_8));
            return text;
        }
        return builder(type, axis2Ctx).processDocument(new ByteArrayInputStream(utf8), type, axis2Ctx);
    }

    /** A reader over the text payload as the builder of {@code type} makes it, for a lazy payload that is read. */
    static XMLStreamReader builtReader(byte[] utf8, String type, org.apache.axis2.context.MessageContext axis2Ctx)
            throws XMLStreamException {
        try {
            return textElement(utf8, type, axis2Ctx).getXMLStreamReader(false);
        } catch (AxisFault e) {
            throw new XMLStreamException("the " + type + " payload cannot be built: " + e.getMessage(), e);
        }
    }

    /** The {@code <binary>} wrapper of a binary payload. */
    private static OMElement binaryElement(byte[] data) {
        OMFactory f = OMAbstractFactory.getOMFactory();
        OMElement binary = f.createOMElement(BINARY);
        OMText content = f.createOMText(new DataHandler(new BytesDataSource(data)), true);
        binary.addChild(content);
        return binary;
    }

    /**
     * axis2-json's builder returns a lazy element that does not know its own name, so the first
     * question for it (Synapse asks for the payload's name on every {@code <send>} to a non-HTTP
     * address, in RelayUtils) parses the whole message. The same data source under the name the
     * mapped convention gives it (the first key of the top-level object) stays lazy: a message no
     * mediator reads is never parsed, one read by XPath is parsed by that reader only, and either leaves
     * as the text it came as ({@link #toFrame}). Anything else is returned as it is.
     */
    private static OMElement named(OMElement doc, byte[] utf8) {
        if (!(doc instanceof OMSourcedElement) || ((OMSourcedElement) doc).isExpanded() || !isJson(((OMSourcedElement) doc).getDataSource())) {
            return doc;
        }
        String key = firstKey(utf8);
        return key == null ? doc : OMAbstractFactory.getOMFactory().createOMElement(((OMSourcedElement) doc).getDataSource(), key, null);
    }

    private static boolean isJson(OMDataSource ds) {
        return ds instanceof OMDataSourceExt && ds.getClass().getName().startsWith("org.apache.axis2.json.");
    }

    /** The first key of a JSON object when it is a plain XML name (no namespace mapping), else null. */
    static String firstKey(byte[] json) {
        int i = skipSpace(json, 0);
        if (i >= json.length || json[i] != '{') {
            return null;
        }
        i = skipSpace(json, i + 1);
        if (i >= json.length || json[i] != '"') {
            return null;
        }
        int end = MappedJson.nameEnd(json, i + 1);
        return end < 0 ? null : new String(json, i + 1, end - i - 1, StandardCharsets.US_ASCII);
    }

    private static int skipSpace(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
        return i;
    }

    /** The frame that carries this message's payload to a WebSocket peer. */
    public WebSocketFrame toFrame(org.apache.axis2.context.MessageContext axis2Ctx) throws AxisFault {
        SOAPEnvelope env = axis2Ctx.getEnvelope();
        OMElement payload = env == null || env.getBody() == null ? null : env.getBody().getFirstElement();
        boolean ping = isTrue(axis2Ctx.getProperty(WebSocketProperties.PING_FRAME_PRESENT));
        if (ping || isTrue(axis2Ctx.getProperty(WebSocketProperties.PONG_FRAME_PRESENT))) {
            // a control frame passed through: its payload is the binary wrapper's bytes, at most 125
            byte[] data = payload != null && BINARY.equals(payload.getQName()) ? binaryContent(payload) : new byte[0];
            ByteBuf content = Unpooled.wrappedBuffer(data, 0, Math.min(data.length, 125));
            return ping ? new PingWebSocketFrame(content)
                    : new PongWebSocketFrame(content);
        }
        if (payload == null) {
            return new TextWebSocketFrame(Unpooled.EMPTY_BUFFER);
        }
        if (payload instanceof OMSourcedElement && !((OMSourcedElement) payload).isExpanded()
                && ((OMSourcedElement) payload).getDataSource() instanceof FramePayload) {
            // nobody read it: the bytes that came in go out
            FramePayload original = (FramePayload) ((OMSourcedElement) payload).getDataSource();
            counters.untouched.increment();
            return new TextWebSocketFrame(Unpooled.wrappedBuffer(original.bytes));
        }
        if (payload instanceof OMSourcedElement && !((OMSourcedElement) payload).isExpanded()
                && ((OMSourcedElement) payload).getDataSource() instanceof JsonPayload) {
            // JSON nobody read: the bytes it came as
            counters.untouched.increment();
            return new TextWebSocketFrame(Unpooled.wrappedBuffer(((JsonPayload) ((OMSourcedElement) payload).getDataSource()).read.bytes));
        }
        Object read = axis2Ctx.getProperty(JSON_READ);
        if (read instanceof JsonPayload.Read && ((JsonPayload.Read) read).events != null
                && ((JsonPayload.Read) read).events.matches(payload)) {
            // JSON read and left exactly as it was read (a clone of it, after Synapse's <send>): the bytes it came as
            counters.untouched.increment();
            return new TextWebSocketFrame(Unpooled.wrappedBuffer(((JsonPayload.Read) read).bytes));
        }
        if (payload instanceof OMSourcedElement && !((OMSourcedElement) payload).isExpanded()
                && isJson(((OMSourcedElement) payload).getDataSource())) {
            // JSON no mediator changed (a reader may have read it): the text it came as
            Object original = ((OMDataSourceExt) ((OMSourcedElement) payload).getDataSource()).getObject();
            if (original instanceof String) {
                counters.untouched.increment();
                return new TextWebSocketFrame(Unpooled.wrappedBuffer(((String) original).getBytes(StandardCharsets.UTF_8)));
            }
        }
        if (TEXT.equals(payload.getQName())) {
            return new TextWebSocketFrame(Unpooled.wrappedBuffer(payload.getText().getBytes(StandardCharsets.UTF_8)));
        }
        if (BINARY.equals(payload.getQName())) {
            return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(binaryContent(payload)));
        }
        byte[] formatted = format(axis2Ctx);
        String type = (String) axis2Ctx.getProperty(WebSocketProperties.MESSAGE_TYPE);
        if (type != null && type.startsWith(WebSocketProperties.OCTET_STREAM)) {
            return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(formatted));
        }
        return new TextWebSocketFrame(Unpooled.wrappedBuffer(formatted));
    }

    private static byte[] binaryContent(OMElement binary) throws AxisFault {
        OMNode child = binary.getFirstOMChild();
        if (!(child instanceof OMText)) {
            return new byte[0];
        }
        OMText text = (OMText) child;
        if (!text.isBinary()) {
            return Base64.getMimeDecoder().decode(text.getText());
        }
        DataHandler dh = (DataHandler) text.getDataHandler();
        if (dh.getDataSource() instanceof BytesDataSource) {
            return ((BytesDataSource) dh.getDataSource()).bytes;
        }
        try (InputStream in = dh.getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AxisFault("cannot read binary payload", e);
        }
    }

    private static byte[] format(org.apache.axis2.context.MessageContext axis2Ctx) throws AxisFault {
        MessageFormatter formatter = MessageProcessorSelector.getMessageFormatter(axis2Ctx);
        OMOutputFormat format = BaseUtils.getOMOutputFormat(axis2Ctx);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        formatter.writeTo(axis2Ctx, format, out, false);
        return out.toByteArray();
    }

    private static void setBody(MessageContext synCtx, OMElement element) throws AxisFault {
        SOAPEnvelope env = synCtx.getEnvelope();
        env.getBody().addChild(element);
    }

    private static void setType(org.apache.axis2.context.MessageContext axis2Ctx, String type) {
        axis2Ctx.setProperty(WebSocketProperties.MESSAGE_TYPE, type);
        axis2Ctx.setProperty(WebSocketProperties.CONTENT_TYPE, type);
    }

    /** A data source over a byte array that gives the array back without copying. */
    static final class BytesDataSource implements DataSource {
        final byte[] bytes;

        BytesDataSource(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public InputStream getInputStream() {
            return new ByteArrayInputStream(bytes);
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            throw new IOException("read-only");
        }

        @Override
        public String getContentType() {
            return WebSocketProperties.OCTET_STREAM;
        }

        @Override
        public String getName() {
            return "websocket-binary";
        }
    }
}
