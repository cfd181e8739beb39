package io.synapsews.inbound.internal;

import java.net.URL;
import java.util.concurrent.ExecutorService;

import org.apache.axis2.context.ConfigurationContext;
import org.apache.axis2.description.TransportOutDescription;

/**
 * What every inbound endpoint of one server shares: Axis2, the mediation pool, the handshake pool,
 * the response path.
 */
final class InboundRuntime {

    private final ConfigurationContext cfgCtx;
    private final ExecutorService mediationPool;
    private final ExecutorService handshakePool;
    private final TransportOutDescription responseTransport;

    InboundRuntime(ConfigurationContext cfgCtx, ExecutorService mediationPool, ExecutorService handshakePool,
                   TransportOutDescription responseTransport) {
        this.cfgCtx = cfgCtx;
        this.mediationPool = mediationPool;
        this.handshakePool = handshakePool;
        this.responseTransport = responseTransport;
    }

    /**
     * Where handshakes are mediated: apart from messages, so that handshakes waiting on a key source
     * (a JWKS or introspection server that hangs) can never take the threads open connections need.
     */
    ExecutorService handshakePool() {
        return handshakePool;
    }

    ConfigurationContext configurationContext() {
        return cfgCtx;
    }

    ExecutorService mediationPool() {
        return mediationPool;
    }

    TransportOutDescription responseTransport() {
        return responseTransport;
    }

    URL axis2Repository() {
        return cfgCtx.getAxisConfiguration().getRepository();
    }
}
