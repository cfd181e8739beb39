package io.synapsews.inbound;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.synapsews.inbound.internal.InboundEndpointManager;
import org.apache.axis2.AxisFault;
import org.apache.axis2.addressing.EndpointReference;
import org.apache.axis2.context.ConfigurationContext;
import org.apache.axis2.context.MessageContext;
import org.apache.axis2.context.SessionContext;
import org.apache.axis2.deployment.Deployer;
import org.apache.axis2.deployment.repository.util.DeploymentFileData;
import org.apache.axis2.description.TransportInDescription;
import org.apache.axis2.transport.TransportListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Deploys WebSocket inbound endpoint files ({@code <inboundEndpoint protocol="ws|wss">}) for Apache
 * Synapse. Register it in {@code axis2.xml}:
 * {@code <deployer extension=".xml" directory="conf/synapse-config/inbound-endpoints"
 * class="io.synapsews.inbound.InboundEndpointDeployer"/>}.
 *
 * <p>Axis2 hands over the files present at boot before Synapse exists; they are kept until a
 * companion transport listener, added to the configuration by this deployer, is started by Synapse.
 */
public class InboundEndpointDeployer implements Deployer {

    private static final Log log = LogFactory.getLog(InboundEndpointDeployer.class);
    private static final String ACTIVATOR = "ws-inbound-endpoints";
    private static final Map<ConfigurationContext, InboundEndpointManager> MANAGERS = new ConcurrentHashMap<>();

    private InboundEndpointManager manager;

    @Override
    public void init(ConfigurationContext cfgCtx) {
        manager = MANAGERS.computeIfAbsent(cfgCtx, InboundEndpointManager::new);
        if (cfgCtx.getAxisConfiguration().getTransportIn(ACTIVATOR) == null) {
            TransportInDescription activator = new TransportInDescription(ACTIVATOR);
            activator.setReceiver(new Activator(cfgCtx, manager));
            try {
                cfgCtx.getAxisConfiguration().addTransportIn(activator);
            } catch (AxisFault e) {
                log.error("cannot register the WebSocket inbound endpoint activator: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void deploy(DeploymentFileData file) {
        manager.deploy(file.getFile());
    }

    @Override
    public void undeploy(String fileName) {
        manager.undeploy(fileName);
    }

    @Override
    public void setDirectory(String directory) {
    }

    @Override
    public void setExtension(String extension) {
    }

    @Override
    public void cleanup() {
        manager.stop();
    }

    /** Synapse starts transport listeners once it is running: that is when boot-time files deploy. */
    static final class Activator implements TransportListener {
        private final ConfigurationContext cfgCtx;
        private final InboundEndpointManager manager;

        Activator(ConfigurationContext cfgCtx, InboundEndpointManager manager) {
            this.cfgCtx = cfgCtx;
            this.manager = manager;
        }

        @Override
        public void init(ConfigurationContext ctx, TransportInDescription in) {
        }

        @Override
        public void start() {
            manager.start();
        }

        @Override
        public void stop() {
            manager.stop();
        }

        @Override
        public EndpointReference[] getEPRsForService(String serviceName, String ip) {
            return new EndpointReference[0];
        }

        @Override
        public SessionContext getSessionContext(MessageContext messageContext) {
            return null;
        }

        @Override
        public void destroy() {
            MANAGERS.remove(cfgCtx, manager);
            manager.destroy();
        }
    }
}
