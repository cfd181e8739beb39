package io.synapsews.mediators;

import java.util.Properties;

import javax.xml.namespace.QName;

import io.synapsews.transport.config.OriginList;
import org.apache.axiom.om.OMElement;
import org.apache.synapse.Mediator;
import org.apache.synapse.SynapseException;
import org.apache.synapse.config.xml.AbstractMediatorFactory;
import org.apache.synapse.config.xml.XMLConfigConstants;

/** Reads {@code <wsAuth>}; see {@link TokenValidationMediator} for its attributes. */
public final class TokenValidationMediatorFactory extends AbstractMediatorFactory {

    static final QName TAG = new QName(XMLConfigConstants.SYNAPSE_NAMESPACE, "wsAuth");

    @Override
    protected Mediator createSpecificMediator(OMElement elem, Properties properties) {
        TokenValidationMediator m = new TokenValidationMediator();
        m.setApi(MediatorXml.required(elem, "api"));
        m.setVersion(MediatorXml.required(elem, "version"));
        m.setJwksUrl(MediatorXml.attr(elem, "jwksUrl"));
        m.setCertificate(MediatorXml.attr(elem, "certificate"));
        m.setIssuer(MediatorXml.attr(elem, "issuer"));
        m.setAudience(MediatorXml.attr(elem, "audience"));
        m.setClockSkewSeconds(MediatorXml.number(elem, "clockSkewSeconds", 60));
        m.setJwksMaxStaleSeconds(MediatorXml.number(elem, "jwksMaxStaleSeconds", 3600));
        m.setIntrospectionUrl(MediatorXml.attr(elem, "introspectionUrl"));
        m.setIntrospectionClientId(MediatorXml.attr(elem, "introspectionClientId"));
        m.setIntrospectionClientSecret(MediatorXml.attr(elem, "introspectionClientSecret"));
        m.setIntrospectionCacheSeconds(MediatorXml.number(elem, "introspectionCacheSeconds", 60));
        m.setIntrospectionCacheSize((int) MediatorXml.number(elem, "introspectionCacheSize", 10_000));
        String q = MediatorXml.attr(elem, "queryParameter");
        if (q != null) {
            m.setQueryParameter("none".equals(q) ? null : q);
        }
        String p = MediatorXml.attr(elem, "subprotocolPrefix");
        if (p != null) {
            m.setSubprotocolPrefix("none".equals(p) ? null : p);
        }
        if ((m.getJwksUrl() != null || m.getCertificate() != null) && (m.getIssuer() == null || m.getAudience() == null)) {
            // a signature alone says only that someone with the key issued the token, maybe for another API
            throw new SynapseException("<wsAuth api=\"" + m.getApi() + "\">: attribute '"
                    + (m.getIssuer() == null ? "issuer" : "audience") + "' is required with "
                    + (m.getJwksUrl() != null ? "jwksUrl" : "certificate") + " (\"*\" accepts any)");
        }
        try {
            m.setAllowedOrigins(OriginList.parse(MediatorXml.attr(elem, "allowedOrigins")));
        } catch (IllegalArgumentException e) {
            throw new SynapseException("<wsAuth api=\"" + m.getApi() + "\">: attribute 'allowedOrigins': " + e.getMessage());
        }
        String scopes = MediatorXml.attr(elem, "scopes");
        if (scopes != null) {
            java.util.Set<String> set = new java.util.LinkedHashSet<>(java.util.Arrays.asList(scopes.split("[\\s,]+")));
            for (String s : set) {
                if (!s.matches("[\\x21\\x23-\\x5B\\x5D-\\x7E]+")) {
                    throw new SynapseException("<wsAuth api=\"" + m.getApi() + "\">: attribute 'scopes': '" + s
                            + "' is not an OAuth2 scope token");
                }
            }
            m.setScopes(set);
        }
        String requireExpiry = MediatorXml.attr(elem, "requireExpiry");
        if (requireExpiry != null && !"true".equals(requireExpiry) && !"false".equals(requireExpiry)) {
            throw new SynapseException("<wsAuth>: attribute 'requireExpiry' must be true or false, not '" + requireExpiry + "'");
        }
        m.setRequireExpiry(!"false".equals(requireExpiry));
        m.setOnExpiry(MediatorXml.choice(elem, "onExpiry", TokenValidationMediator.OnExpiry.class, TokenValidationMediator.OnExpiry.CLOSE));
        return m;
    }

    @Override
    public QName getTagQName() {
        return TAG;
    }
}
