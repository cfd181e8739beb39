package io.synapsews.mediators;

import java.io.File;

import javax.xml.namespace.QName;

import io.synapsews.mediators.internal.GatewayConfig;
import io.synapsews.mediators.internal.GatewayConfigException;
import io.synapsews.mediators.internal.GatewayRuntime;
import io.synapsews.transport.config.ServerHome;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.synapse.config.xml.XMLConfigConstants;
import org.apache.synapse.core.SynapseEnvironment;
import org.apache.synapse.core.axis2.Axis2SynapseEnvironment;
import org.apache.synapse.startup.AbstractStartup;

/**
 * {@code <websocketGateway name=".." config="repository/conf/websocket-gateway.xml"/>} in the
 * Synapse configuration: loads the gateway configuration (key manager, tiers, applications,
 * analytics) and runs what the API mediators share. A configuration that cannot be used is logged
 * with its file and setting; the server keeps running and {@code <wsAuth>} answers 503 until the
 * configuration is fixed and redeployed.
 */
public final class GatewayStartup extends AbstractStartup {

    static final QName TAG = new QName(XMLConfigConstants.SYNAPSE_NAMESPACE, "websocketGateway");
    private static final Log log = LogFactory.getLog(GatewayStartup.class);

    private String config = "repository/conf/websocket-gateway.xml";
    private GatewayRuntime runtime;

    @Override
    public QName getTagQName() {
        return TAG;
    }

    @Override
    public void init(SynapseEnvironment env) {
        File home = ServerHome.home(((Axis2SynapseEnvironment) env).getAxis2ConfigurationContext()
                .getAxisConfiguration().getRepository());
        File file = ServerHome.resolve(home, config);
        try {
            runtime = GatewayRuntime.start(GatewayConfig.load(file, home));
            runtime.startManagement(env);
            log.info("websocket gateway '" + getName() + "' started from " + file + ": key manager port "
                    + runtime.keyManagerPort() + ", analytics port " + runtime.analyticsPort()
                    + (runtime.managementPort() < 0 ? "" : ", management port " + runtime.managementPort()));
        } catch (GatewayConfigException e) {
            log.error("websocket gateway '" + getName() + "' not started: " + e.getMessage());
        }
    }

    @Override
    public void destroy() {
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }

    public String getConfig() {
        return config;
    }

    public void setConfig(String config) {
        this.config = config;
    }
}
