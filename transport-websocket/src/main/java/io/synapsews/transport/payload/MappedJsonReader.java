package io.synapsews.transport.payload;

import java.util.Collections;
import java.util.Iterator;

import javax.xml.namespace.NamespaceContext;
import javax.xml.namespace.QName;
import javax.xml.stream.Location;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/** The events of a {@link MappedJson} as a StAX reader: elements without namespaces or attributes, and text. */
final class MappedJsonReader implements XMLStreamReader {

    private static final Location NOWHERE = new Location() {
        public int getLineNumber() { return -1; }
        public int getColumnNumber() { return -1; }
        public int getCharacterOffset() { return -1; }
        public String getPublicId() { return null; }
        public String getSystemId() { return null; }
    };

    private static final NamespaceContext NO_NAMESPACES = new NamespaceContext() {
        public String getNamespaceURI(String prefix) { return prefix.isEmpty() ? "" : null; }
        public String getPrefix(String uri) { return uri.isEmpty() ? "" : null; }
        public Iterator<String> getPrefixes(String uri) {
            return uri.isEmpty() ? Collections.singletonList("").iterator() : Collections.emptyIterator();
        }
    };

    private final MappedJson json;
    /** -1: start of document; json.size: end of document. */
    private int at = -1;

    MappedJsonReader(MappedJson json) {
        this.json = json;
    }

    @Override
    public int getEventType() {
        if (at < 0) {
            return START_DOCUMENT;
        }
        if (at >= json.size) {
            return END_DOCUMENT;
        }
        int t = json.types[at];
        return t == MappedJson.START ? START_ELEMENT : t == MappedJson.END ? END_ELEMENT : CHARACTERS;
    }

    @Override
    public int next() throws XMLStreamException {
        if (at >= json.size) {
            throw new XMLStreamException("end of document");
        }
        at++;
        return getEventType();
    }

    @Override
    public boolean hasNext() {
        return at < json.size;
    }

    @Override
    public int nextTag() throws XMLStreamException {
        int e = next();
        while (e == CHARACTERS && isWhiteSpace()) {
            e = next();
        }
        if (e != START_ELEMENT && e != END_ELEMENT) {
            throw new XMLStreamException("expected a start or end tag, found event " + e);
        }
        return e;
    }

    @Override
    public String getElementText() throws XMLStreamException {
        if (getEventType() != START_ELEMENT) {
            throw new XMLStreamException("not at a start tag");
        }
        StringBuilder s = new StringBuilder();
        int e = next();
        while (e != END_ELEMENT) {
            if (e != CHARACTERS) {
                throw new XMLStreamException("element text contains an element");
            }
            s.append(getText());
            e = next();
        }
        return s.toString();
    }

    @Override
    public void require(int type, String namespaceURI, String localName) throws XMLStreamException {
        if (type != getEventType() || (localName != null && !localName.equals(getLocalName()))
                || (namespaceURI != null && !namespaceURI.isEmpty())) {
            throw new XMLStreamException("required event " + type + " " + localName + " not found");
        }
    }

    @Override
    public Object getProperty(String name) {
        return null;
    }

    @Override
    public void close() {
    }

    private String value() {
        return at >= 0 && at < json.size ? json.values[at] : null;
    }

    @Override
    public String getLocalName() {
        int e = getEventType();
        if (e != START_ELEMENT && e != END_ELEMENT) {
            throw new IllegalStateException("no name at event " + e);
        }
        return value();
    }

    @Override
    public QName getName() {
        return new QName(getLocalName());
    }

    @Override
    public boolean hasName() {
        int e = getEventType();
        return e == START_ELEMENT || e == END_ELEMENT;
    }

    @Override
    public String getNamespaceURI() {
        return hasName() ? "" : null;
    }

    @Override
    public String getPrefix() {
        return hasName() ? "" : null;
    }

    @Override
    public String getText() {
        if (getEventType() != CHARACTERS) {
            throw new IllegalStateException("no text at event " + getEventType());
        }
        return value();
    }

    @Override
    public char[] getTextCharacters() {
        return getText().toCharArray();
    }

    @Override
    public int getTextCharacters(int sourceStart, char[] target, int targetStart, int length) {
        String t = getText();
        int n = Math.max(0, Math.min(length, t.length() - sourceStart));
        t.getChars(sourceStart, sourceStart + n, target, targetStart);
        return n;
    }

    @Override
    public int getTextStart() {
        return 0;
    }

    @Override
    public int getTextLength() {
        return getText().length();
    }

    @Override
    public boolean hasText() {
        return getEventType() == CHARACTERS;
    }

    @Override
    public boolean isWhiteSpace() {
        return hasText() && getText().trim().isEmpty();
    }

    @Override
    public boolean isStartElement() {
        return getEventType() == START_ELEMENT;
    }

    @Override
    public boolean isEndElement() {
        return getEventType() == END_ELEMENT;
    }

    @Override
    public boolean isCharacters() {
        return getEventType() == CHARACTERS;
    }

    @Override
    public int getAttributeCount() {
        return 0;
    }

    private static IndexOutOfBoundsException noAttribute(int index) {
        return new IndexOutOfBoundsException("no attribute " + index);
    }

    @Override
    public String getAttributeValue(String namespaceURI, String localName) {
        return null;
    }

    @Override
    public QName getAttributeName(int index) {
        throw noAttribute(index);
    }

    @Override
    public String getAttributeNamespace(int index) {
        throw noAttribute(index);
    }

    @Override
    public String getAttributeLocalName(int index) {
        throw noAttribute(index);
    }

    @Override
    public String getAttributePrefix(int index) {
        throw noAttribute(index);
    }

    @Override
    public String getAttributeType(int index) {
        throw noAttribute(index);
    }

    @Override
    public String getAttributeValue(int index) {
        throw noAttribute(index);
    }

    @Override
    public boolean isAttributeSpecified(int index) {
        throw noAttribute(index);
    }

    @Override
    public int getNamespaceCount() {
        return 0;
    }

    @Override
    public String getNamespacePrefix(int index) {
        throw new IndexOutOfBoundsException("no namespace declaration " + index);
    }

    @Override
    public String getNamespaceURI(int index) {
        throw new IndexOutOfBoundsException("no namespace declaration " + index);
    }

    @Override
    public String getNamespaceURI(String prefix) {
        return NO_NAMESPACES.getNamespaceURI(prefix);
    }

    @Override
    public NamespaceContext getNamespaceContext() {
        return NO_NAMESPACES;
    }

    @Override
    public Location getLocation() {
        return NOWHERE;
    }

    @Override
    public String getEncoding() {
        return null;
    }

    @Override
    public String getVersion() {
        return null;
    }

    @Override
    public boolean isStandalone() {
        return false;
    }

    @Override
    public boolean standaloneSet() {
        return false;
    }

    @Override
    public String getCharacterEncodingScheme() {
        return null;
    }

    @Override
    public String getPITarget() {
        return null;
    }

    @Override
    public String getPIData() {
        return null;
    }

}
