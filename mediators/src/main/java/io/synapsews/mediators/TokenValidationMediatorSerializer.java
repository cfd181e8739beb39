package io.synapsews.mediators;

import org.apache.axiom.om.OMElement;
import org.apache.synapse.Mediator;
import org.apache.synapse.config.xml.AbstractMediatorSerializer;

/** Writes {@code <wsAuth>} back out. */
public final class TokenValidationMediatorSerializer extends AbstractMediatorSerializer {

    @Override
    protected OMElement serializeSpecificMediator(Mediator mediator) {
        TokenValidationMediator m = (TokenValidationMediator) mediator;
        OMElement e = fac.createOMElement("wsAuth", synNS);
        MediatorXml.set(e, "api", m.getApi());
        MediatorXml.set(e, "version", m.getVersion());
        MediatorXml.set(e, "jwksUrl", m.getJwksUrl());
        MediatorXml.set(e, "certificate", m.getCertificate());
        MediatorXml.set(e, "issuer", m.getIssuer());
        MediatorXml.set(e, "audience", m.getAudience());
        MediatorXml.set(e, "clockSkewSeconds", String.valueOf(m.getClockSkewSeconds()));
        MediatorXml.set(e, "introspectionUrl", m.getIntrospectionUrl());
        MediatorXml.set(e, "introspectionClientId", m.getIntrospectionClientId());
        MediatorXml.set(e, "introspectionClientSecret", m.getIntrospectionClientSecret());
        MediatorXml.set(e, "introspectionCacheSeconds", String.valueOf(m.getIntrospectionCacheSeconds()));
        MediatorXml.set(e, "introspectionCacheSize", String.valueOf(m.getIntrospectionCacheSize()));
        MediatorXml.set(e, "queryParameter", m.getQueryParameter() == null ? "none" : m.getQueryParameter());
        MediatorXml.set(e, "subprotocolPrefix", m.getSubprotocolPrefix() == null ? "none" : m.getSubprotocolPrefix());
        MediatorXml.set(e, "onExpiry", m.getOnExpiry().name().toLowerCase());
        MediatorXml.set(e, "jwksMaxStaleSeconds", String.valueOf(m.getJwksMaxStaleSeconds()));
        if (!m.getAllowedOrigins().allowsAll()) {
            MediatorXml.set(e, "allowedOrigins", m.getAllowedOrigins().toString());
        }
        MediatorXml.set(e, "requireExpiry", String.valueOf(m.isRequireExpiry()));
        if (!m.getScopes().isEmpty()) {
            MediatorXml.set(e, "scopes", String.join(" ", m.getScopes()));
        }
        saveTracingState(e, m);
        return e;
    }

    @Override
    public String getMediatorClassName() {
        return TokenValidationMediator.class.getName();
    }
}
