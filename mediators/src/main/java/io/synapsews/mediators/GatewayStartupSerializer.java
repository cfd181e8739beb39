package io.synapsews.mediators;

import org.apache.axiom.om.OMAbstractFactory;
import org.apache.axiom.om.OMElement;
import org.apache.axiom.om.OMFactory;
import org.apache.synapse.Startup;
import org.apache.synapse.config.xml.StartupSerializer;
import org.apache.synapse.config.xml.XMLConfigConstants;

/** Writes {@code <websocketGateway>} back out. */
public final class GatewayStartupSerializer implements StartupSerializer {

    @Override
    public OMElement serializeStartup(OMElement parent, Startup startup) {
        OMFactory fac = OMAbstractFactory.getOMFactory();
        OMElement e = fac.createOMElement("websocketGateway", fac.createOMNamespace(XMLConfigConstants.SYNAPSE_NAMESPACE, ""));
        MediatorXml.set(e, "name", startup.getName());
        MediatorXml.set(e, "config", ((GatewayStartup) startup).getConfig());
        if (parent != null) {
            parent.addChild(e);
        }
        return e;
    }
}
