package io.synapsews.mediators;

import javax.xml.namespace.QName;

import io.synapsews.transport.config.ParameterException;
import io.synapsews.transport.config.Parameters;
import org.apache.axiom.om.OMElement;
import org.apache.synapse.SynapseException;

/** Attribute reading and writing shared by the factories and serializers of this package. */
final class MediatorXml {

    private MediatorXml() {
    }

    static String attr(OMElement e, String name) {
        String v = e.getAttributeValue(new QName(name));
        return v == null || v.trim().isEmpty() ? null : v.trim();
    }

    static String required(OMElement e, String name) {
        String v = attr(e, name);
        if (v == null) {
            throw new SynapseException("<" + e.getLocalName() + ">: attribute '" + name + "' is required");
        }
        return v;
    }

    /** The element's attributes, read the way every configuration parameter is read. */
    private static Parameters attributes(OMElement e) {
        return new Parameters(n -> e.getAttributeValue(new QName(n)), n -> "<" + e.getLocalName() + ">: attribute '" + n + "'");
    }

    static long number(OMElement e, String name, long def) {
        try {
            return attributes(e).whole(name, def, 0, Long.MAX_VALUE);
        } catch (ParameterException ex) {
            throw new SynapseException(ex.getMessage());
        }
    }

    static <T extends Enum<T>> T choice(OMElement e, String name, Class<T> type, T def) {
        try {
            return attributes(e).choice(name, type, def);
        } catch (ParameterException ex) {
            throw new SynapseException(ex.getMessage());
        }
    }

    static void set(OMElement e, String name, String value) {
        if (value != null) {
            e.addAttribute(name, value, null);
        }
    }
}
