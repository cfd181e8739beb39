package io.synapsews.mediators;

import javax.xml.namespace.QName;

import org.apache.axiom.om.OMElement;
import org.apache.synapse.Startup;
import org.apache.synapse.config.xml.StartupFactory;
import org.apache.synapse.config.xml.StartupSerializer;

/** Reads {@code <websocketGateway name=".." config=".."/>}. */
public final class GatewayStartupFactory implements StartupFactory {

    @Override
    public Startup createStartup(OMElement elem) {
        GatewayStartup s = new GatewayStartup();
        String name = MediatorXml.attr(elem, "name");
        s.setName(name == null ? "websocketGateway" : name);
        String config = MediatorXml.attr(elem, "config");
        if (config != null) {
            s.setConfig(config);
        }
        return s;
    }

    @Override
    public QName getTagQName() {
        return GatewayStartup.TAG;
    }

    @Override
    public Class<? extends StartupSerializer> getSerializerClass() {
        return GatewayStartupSerializer.class;
    }
}
