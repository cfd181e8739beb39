package io.synapsews.mediators;

import javax.xml.namespace.QName;

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

    static long number(OMElement e, String name, long def) {
        String v = attr(e, name);
        if (v == null) {
            return def;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException ex) {
            throw new SynapseException("<" + e.getLocalName() + ">: attribute '" + name
                    + "' must be a whole number of 0 or more, not '" + v + "'");
        }
    }

    static <T extends Enum<T>> T choice(OMElement e, String name, Class<T> type, T def) {
        String v = attr(e, name);
        if (v == null) {
            return def;
        }
        for (T c : type.getEnumConstants()) {
            if (c.name().equalsIgnoreCase(v)) {
                return c;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (T c : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : " or ").append(c.name().toLowerCase());
        }
        throw new SynapseException("<" + e.getLocalName() + ">: attribute '" + name + "' must be " + allowed + ", not '" + v + "'");
    }

    static void set(OMElement e, String name, String value) {
        if (value != null) {
            e.addAttribute(name, value, null);
        }
    }
}
