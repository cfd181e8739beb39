package io.synapsews.inbound.internal;

import org.apache.axis2.context.ConfigurationContext;
import org.apache.axis2.description.TransportOutDescription;

import java.net.URL;
import java.util.concurrent.ExecutorService;

/** What every inbound endpoint of one server shares: Axis2, the mediation pool, the response path. */
final class InboundRuntime {

    private final ConfigurationContext cfgCtx;
    private final ExecutorService mediationPool;
    private final TransportOutDescription responseTransport;

    InboundRuntime(ConfigurationContext cfgCtx, ExecutorService mediationPool, TransportOutDescription responseTransport) {
        this.cfgCtx = cfgCtx;
        this.mediationPool = mediationPool;
        this.responseTransport = responseTransport;
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
