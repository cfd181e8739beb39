package io.synapsews.inbound.internal;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.synapsews.transport.mediation.Mediation;
import org.apache.axis2.context.ConfigurationContext;
import org.apache.axis2.description.TransportOutDescription;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.synapse.config.SynapseConfiguration;
import org.apache.synapse.core.SynapseEnvironment;

/**
 * The inbound endpoints deployed from files. Files handed over before Synapse is running are kept
 * and deployed when it starts; a broken file is refused with one log line and leaves the others alone.
 */
public final class InboundEndpointManager {

    private static final Log log = LogFactory.getLog(InboundEndpointManager.class);

    /** Threads that mediate client and backend messages of all inbound endpoints. */
    public static final String MEDIATION_THREADS = "ws.mediation.thread.pool.size";

    /** Threads that mediate handshakes of all inbound endpoints (a pool of their own). */
    public static final String HANDSHAKE_THREADS = "ws.handshake.thread.pool.size";

    private final InboundRuntime runtime;
    private final Map<String, InboundEndpoint> deployed = new LinkedHashMap<>();
    private final Map<String, File> deferred = new LinkedHashMap<>();
    private boolean started;

    public InboundEndpointManager(ConfigurationContext cfgCtx) {
        int threads = Integer.getInteger(MEDIATION_THREADS, Math.max(16, 8 * Runtime.getRuntime().availableProcessors()));
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("ws-mediation-"));
        pool.allowCoreThreadTimeOut(true);
        int handshakeThreads = Integer.getInteger(HANDSHAKE_THREADS, Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
        ThreadPoolExecutor handshakes = new ThreadPoolExecutor(handshakeThreads, handshakeThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("ws-handshake-"));
        handshakes.allowCoreThreadTimeOut(true);
        TransportOutDescription response = new TransportOutDescription(InboundResponseSender.TRANSPORT_NAME);
        response.setSender(new InboundResponseSender());
        this.runtime = new InboundRuntime(cfgCtx, pool, handshakes, response);
    }

    public void deploy(File file) {
        deploy(file, false);
    }

    /**
     * Axis2 may hand over an endpoint file before the sequence file that arrived with it: a file naming
     * a sequence that is not deployed yet is tried once more after this delay before it is refused.
     */
    static final long SEQUENCE_RETRY_MILLIS = 3000;

    private synchronized void deploy(File file, boolean retried) {
        if (!started) {
            deferred.put(key(file), file);
            return;
        }
        InboundEndpointConfig config;
        try {
            config = InboundEndpointConfig.parse(file);
        } catch (InboundConfigException e) {
            refuse(file, e.getMessage());
            return;
        }
        String missing = missingSequence(config);
        if (missing != null) {
            if (!retried) {
                retries().schedule(() -> {
                    if (file.isFile()) {
                        deploy(file, true);
                    }
                }, SEQUENCE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                refuse(file, file + ": " + missing);
            }
            return;
        }
        InboundEndpoint current = deployed.get(key(file));
        if (current != null && !config.suspended() && !config.listenerDiffers(current.config())) {
            current.reconfigure(config);
            log.info("inbound endpoint '" + config.name() + "' updated from " + file + "; open connections kept");
            return;
        }
        if (current != null) {
            deployed.remove(key(file));
            current.stop(current.config().shutdownCode(), current.config().shutdownMessage());
        }
        if (config.suspended()) {
            log.info("inbound endpoint '" + config.name() + "' deployed from " + file + " suspended (not listening)");
            return;
        }
        InboundEndpoint endpoint = new InboundEndpoint(config, runtime);
        try {
            endpoint.start();
            deployed.put(key(file), endpoint);
        } catch (InboundConfigException e) {
            log.error("inbound endpoint not deployed: " + e.getMessage());
        }
    }

    public synchronized void undeploy(String fileName) {
        File file = new File(fileName);
        String key = key(file);
        deferred.remove(key);
        if (file.isFile() && deployed.containsKey(key)) {
            // Axis2 updates a changed file by undeploying and deploying it: the endpoint keeps running
            // until deploy() sees the new content, so that a change that keeps the listener keeps the
            // connections too (and a broken new content leaves the old endpoint serving)
            log.info("inbound endpoint file " + file + " changed: redeploying");
            return;
        }
        InboundEndpoint endpoint = deployed.remove(key);
        if (endpoint != null) {
            endpoint.stop(endpoint.config().shutdownCode(), endpoint.config().shutdownMessage());
            log.info("inbound endpoint '" + endpoint.config().name() + "' undeployed");
        }
    }

    /** Synapse is running: deploy what arrived before it. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        List<File> files = new ArrayList<>(deferred.values());
        deferred.clear();
        for (File f : files) {
            deploy(f);
        }
    }

    /** Undeploys every endpoint, each with its shutdown close code, draining in parallel. */
    public void stop() {
        List<InboundEndpoint> all;
        synchronized (this) {
            started = false;
            all = new ArrayList<>(deployed.values());
            deployed.clear();
        }
        List<Thread> stoppers = new ArrayList<>();
        for (InboundEndpoint e : all) {
            Thread t = new Thread(() -> e.stop(e.config().shutdownCode(), e.config().shutdownMessage()),
                    "ws-stop-" + e.config().name());
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the mediation threads; the manager cannot be used afterwards. */
    public void destroy() {
        stop();
        runtime.handshakePool().shutdownNow();
        runtime.mediationPool().shutdown();
        try {
            // the last close notifications (connection log lines) run there
            runtime.mediationPool().awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (retries != null) {
                retries.shutdownNow();
            }
        }
    }

    private ScheduledExecutorService retries;

    private synchronized ScheduledExecutorService retries() {
        if (retries == null) {
            retries = Executors.newSingleThreadScheduledExecutor(daemonThreads("ws-deploy-retry-"));
        }
        return retries;
    }

    /**
     * The first sequence the file names that Synapse does not have, as the problem to log, or null
     * (also when there is no Synapse to ask).
     */
    private String missingSequence(InboundEndpointConfig config) {
        SynapseEnvironment env = Mediation.environment(runtime.configurationContext());
        SynapseConfiguration synapse = env == null ? null : env.getSynapseConfiguration();
        if (synapse == null) {
            return null;
        }
        String[][] named = {
            {"attribute 'sequence'", config.sequence()},
            {"attribute 'onError'", config.onError()},
            {"parameter '" + InboundEndpointConfig.OUTFLOW_SEQUENCE + "'", config.outflowSequence()},
            {"parameter '" + InboundEndpointConfig.OUTFLOW_FAULT_SEQUENCE + "'", config.outflowFaultSequence()},
        };
        for (String[] n : named) {
            if (n[1] != null && synapse.getSequence(n[1]) == null) {
                return n[0] + " names the sequence '" + n[1] + "', which is not deployed";
            }
        }
        return null;
    }

    /** One log line for a refused file; an endpoint deployed from its earlier content keeps running. */
    private void refuse(File file, String problem) {
        log.error("inbound endpoint not deployed: " + problem
                + (deployed.containsKey(key(file)) ? " (the endpoint keeps running as it was)" : ""));
    }

    private static String key(File file) {
        return file.getName();
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
