package io.synapsews.gateway;

import java.io.File;

import org.apache.synapse.ServerConfigurationInformation;
import org.apache.synapse.ServerManager;
import org.apache.synapse.ServerState;

/**
 * Apache Synapse embedded in this JVM, run from a server home laid out like a Synapse server:
 * {@code repository/conf/axis2.xml} and {@code repository/conf/synapse-config/}.
 */
public final class Gateway implements AutoCloseable {

    private final File home;
    private final ServerManager server = new ServerManager();

    private Gateway(File home) {
        this.home = home;
    }

    /** Starts Synapse from {@code home}; inbound endpoints present there start listening. */
    public static Gateway start(File home) {
        File repo = new File(home, "repository");
        File axis2Xml = new File(repo, "conf/axis2.xml");
        File synapseConfig = new File(repo, "conf/synapse-config");
        if (!axis2Xml.isFile()) {
            throw new IllegalArgumentException(home + " is not a server home: " + axis2Xml + " is missing");
        }
        System.setProperty("synapse.home", home.getAbsolutePath());
        ServerConfigurationInformation info = new ServerConfigurationInformation();
        info.setSynapseHome(home.getAbsolutePath());
        info.setAxis2RepoLocation(repo.getAbsolutePath());
        info.setAxis2Xml(axis2Xml.getAbsolutePath());
        info.setSynapseXMLLocation(synapseConfig.getAbsolutePath());
        info.setResolveRoot(repo.getAbsolutePath());
        info.setServerName("synapse-ws");
        Gateway gateway = new Gateway(home);
        gateway.server.init(info, null);
        ServerState state = gateway.server.start();
        if (state != ServerState.STARTED) {
            gateway.close();
            throw new IllegalStateException("Synapse did not start from " + home + " (state " + state + ")");
        }
        return gateway;
    }

    public File home() {
        return home;
    }

    /** Stops Synapse: inbound endpoints send their shutdown close code and drain. */
    @Override
    public void close() {
        if (server.isInitialized()) {
            server.stop();
            server.shutdown();
        }
    }
}
