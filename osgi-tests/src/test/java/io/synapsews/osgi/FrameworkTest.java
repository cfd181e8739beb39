package io.synapsews.osgi;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.util.tracker.ServiceTracker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three bundles in a real framework (Felix or Equinox, chosen by the surefire execution) with Netty,
 * Synapse, Axiom, commons-logging, a wrapped axis2-kernel and Felix SCR: every bundle ACTIVE, the classes
 * {@code axis2.xml} and the synapse configuration name loading and instantiating through the bundles, their
 * packages wired to the bundles an administrator expects, and the transport's Declarative Services
 * component registering the {@code WebSocketTransport} service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FrameworkTest {

    static final String TRANSPORT = "org.wso2.carbon.websocket.transport";
    static final String INBOUND = "io.synapsews.inbound.endpoint";
    static final String MEDIATORS = "io.synapsews.mediators";

    OsgiFramework osgi;

    @BeforeAll
    void boot() throws Exception {
        osgi = OsgiFramework.start();
        osgi.startAll();
    }

    @AfterAll
    void shutdown() throws Exception {
        if (osgi != null) {
            osgi.close();
        }
    }

    @Test
    void everyBundleIsActive() {
        String implementation = osgi.framework.getClass().getName();
        assertTrue(implementation.startsWith(osgi.name.equals("equinox") ? "org.eclipse.osgi" : "org.apache.felix"),
                "running " + implementation + " for " + osgi.name);
        List<String> notActive = new ArrayList<>();
        for (Bundle b : osgi.installed) {
            int expected = osgi.isFragment(b) ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (b.getState() != expected) {
                notActive.add(b.getSymbolicName() + " " + b.getVersion() + " state " + b.getState());
            }
        }
        assertEquals(List.of(), notActive, "bundles not active in " + osgi.name);
        for (String name : List.of(TRANSPORT, INBOUND, MEDIATORS, "synapse-core", "axis2-kernel", "io.netty.codec-http",
                "org.apache.felix.scr")) {
            assertEquals(Bundle.ACTIVE, osgi.bundle(name).getState(), name);
        }
        System.out.println(osgi.name + ": " + osgi.installed.size() + " bundles installed, all started");
    }

    @Test
    void classesNamedInConfigurationLoadThroughTheBundles() throws Exception {
        // axis2.xml: <transportSender class=...> and the inbound endpoint deployer
        Class<?> sender = osgi.bundle(TRANSPORT).loadClass("org.wso2.carbon.websocket.transport.WebsocketTransportSender");
        Object instance = sender.getDeclaredConstructor().newInstance();
        assertEquals(osgi.bundle(TRANSPORT), FrameworkUtil.getBundle(instance.getClass()));
        assertEquals("axis2-transport-base", FrameworkUtil.getBundle(sender.getSuperclass()).getSymbolicName(),
                "AbstractTransportSender comes from axis2-transport-base");
        Class<?> transportSender = osgi.bundle(TRANSPORT).loadClass("org.apache.axis2.transport.TransportSender");
        assertEquals("axis2-kernel", FrameworkUtil.getBundle(transportSender).getSymbolicName());
        assertTrue(transportSender.isInstance(instance));

        Class<?> deployer = osgi.bundle(INBOUND).loadClass("io.synapsews.inbound.InboundEndpointDeployer");
        Object d = deployer.getDeclaredConstructor().newInstance();
        assertTrue(osgi.bundle(INBOUND).loadClass("org.apache.axis2.deployment.Deployer").isInstance(d));
        // the example subprotocol handler named in the sample inbound endpoint
        osgi.bundle(INBOUND).loadClass("io.synapsews.inbound.ContentTypeSubprotocols").getDeclaredConstructor().newInstance();

        // <wsAuth>, <wsThrottle>, <websocketGateway>: the factories and serializers the bundle lists
        Bundle mediators = osgi.bundle(MEDIATORS);
        int loaded = 0;
        for (String service : List.of("org.apache.synapse.config.xml.MediatorFactory",
                "org.apache.synapse.config.xml.MediatorSerializer", "org.apache.synapse.config.xml.StartupFactory")) {
            URL list = mediators.getEntry("META-INF/services/" + service);
            assertNotNull(list, service);
            Class<?> api = mediators.loadClass(service);
            assertEquals("synapse-core", FrameworkUtil.getBundle(api).getSymbolicName());
            for (String cls : lines(list)) {
                Object factory = mediators.loadClass(cls).getDeclaredConstructor().newInstance();
                assertTrue(api.isInstance(factory), cls + " is a " + service);
                loaded++;
            }
        }
        assertEquals(5, loaded, "mediator factories and serializers");
    }

    private static List<String> lines(URL url) throws Exception {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                line = line.trim();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    /** package → symbolic name of the bundle that provides it to {@code b}. */
    private static Map<String, String> packageWires(Bundle b) {
        Map<String, String> out = new TreeMap<>();
        for (BundleWire w : b.adapt(BundleWiring.class).getRequiredWires("osgi.wiring.package")) {
            out.put((String) w.getCapability().getAttributes().get("osgi.wiring.package"),
                    w.getProvider().getBundle().getSymbolicName());
        }
        return out;
    }

    @Test
    void packagesAreWiredToTheExpectedBundles() {
        Map<String, String> transport = packageWires(osgi.bundle(TRANSPORT));
        assertEquals("axis2-kernel", transport.get("org.apache.axis2.context"), "transport " + transport);
        assertEquals("axis2-transport-base", transport.get("org.apache.axis2.transport.base"));
        assertEquals("synapse-core", transport.get("org.apache.synapse"));
        assertEquals("org.apache.ws.commons.axiom.axiom-api", transport.get("org.apache.axiom.om"));
        assertEquals("org.apache.commons.logging", transport.get("org.apache.commons.logging"));
        assertEquals("io.netty.codec-http", transport.get("io.netty.handler.codec.http.websocketx"));
        assertEquals("io.netty.handler", transport.get("io.netty.handler.ssl"));
        assertEquals("io.netty.handler-proxy", transport.get("io.netty.handler.proxy"));

        Map<String, String> inbound = packageWires(osgi.bundle(INBOUND));
        assertEquals(TRANSPORT, inbound.get("io.synapsews.transport.spi"), "inbound " + inbound);
        assertEquals(TRANSPORT, inbound.get("io.synapsews.transport.netty"), "inbound " + inbound);
        assertEquals("axis2-kernel", inbound.get("org.apache.axis2.deployment"));
        assertEquals("synapse-core", inbound.get("org.apache.synapse.core"));
        assertEquals("io.netty.transport", inbound.get("io.netty.channel"));

        Map<String, String> mediators = packageWires(osgi.bundle(MEDIATORS));
        assertEquals(TRANSPORT, mediators.get("io.synapsews.transport.spi"), "mediators " + mediators);
        assertEquals(null, mediators.get("io.synapsews.transport.netty"), "the netty-level package is the inbound bundle's only");
        assertEquals("synapse-core", mediators.get("org.apache.synapse.mediators"));
        assertEquals("com.nimbusds.nimbus-jose-jwt", mediators.get("com.nimbusds.jwt"));

        for (Map<String, String> wires : List.of(transport, inbound, mediators)) {
            for (Map.Entry<String, String> w : wires.entrySet()) {
                assertTrue(!w.getKey().startsWith("java."), "a java.* wire: " + w);
                assertTrue(!w.getKey().contains(".internal"), "an internal package wired: " + w);
            }
        }
        // the transport's internals stay private: no other bundle can see them
        assertNull(osgi.bundle(INBOUND).getResource("io/synapsews/transport/internal/TargetSender.class"));
    }

    @Test
    void declarativeServicesRegistersTheTransportService() throws Exception {
        BundleContext ctx = osgi.framework.getBundleContext();
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(ctx, "io.synapsews.transport.spi.WebSocketTransport", null);
        tracker.open(true);
        try {
            Object service = tracker.waitForService(30_000);
            assertNotNull(service, "no WebSocketTransport service registered by " + osgi.name + "'s SCR");
            ServiceReference<Object> ref = tracker.getServiceReference();
            assertEquals(osgi.bundle(TRANSPORT), ref.getBundle());
            assertEquals("org.wso2.carbon.websocket.transport", ref.getProperty("component.name"));
            assertArrayEquals(new String[] {"ws", "wss"}, (String[]) ref.getProperty("transport.protocols"));
            assertEquals("org.wso2.carbon.websocket.transport.WebsocketTransportSender", ref.getProperty("transport.sender.class"));

            Class<?> api = osgi.bundle(TRANSPORT).loadClass("io.synapsews.transport.spi.WebSocketTransport");
            assertEquals(List.of("ws", "wss"), api.getMethod("protocols").invoke(service));
            Object sender = api.getMethod("newSender").invoke(service);
            assertEquals(ref.getProperty("transport.sender.class"), sender.getClass().getName());

            // whiteboard: a ConnectionListener service from another bundle is bound by the component
            Class<?> listener = osgi.bundle(MEDIATORS).loadClass("io.synapsews.transport.spi.ConnectionListener");
            Object l = Proxy.newProxyInstance(listener.getClassLoader(), new Class<?>[] {listener}, (p, m, args) -> {
                switch (m.getName()) {
                    case "equals": return p == args[0];
                    case "hashCode": return System.identityHashCode(p);
                    case "toString": return "test listener";
                    default: return null;
                }
            });
            BundleContext mediatorsCtx = osgi.bundle(MEDIATORS).getBundleContext();
            // a service factory: the framework tells it which bundle gets the listener
            CountDownLatch boundByTransport = new CountDownLatch(1);
            ServiceFactory<Object> factory = new ServiceFactory<>() {
                @Override
                public Object getService(Bundle bundle, ServiceRegistration<Object> registration) {
                    if (bundle.equals(osgi.bundle(TRANSPORT))) {
                        boundByTransport.countDown();
                    }
                    return l;
                }

                @Override
                public void ungetService(Bundle bundle, ServiceRegistration<Object> registration, Object service) {
                }
            };
            ServiceRegistration<?> reg = mediatorsCtx.registerService(listener.getName(), factory, null);
            try {
                assertTrue(boundByTransport.await(30, TimeUnit.SECONDS), "the component did not bind the listener");
                assertTrue(usedBy(reg.getReference(), osgi.bundle(TRANSPORT)));
            } finally {
                reg.unregister();
            }

            // stopping the bundle takes the service away
            osgi.bundle(TRANSPORT).stop();
            assertNull(ctx.getServiceReference("io.synapsews.transport.spi.WebSocketTransport"));
            osgi.bundle(TRANSPORT).start();
            assertNotNull(tracker.waitForService(30_000), "service back after a restart of the bundle");
        } finally {
            tracker.close();
        }
    }

    private static boolean usedBy(ServiceReference<?> ref, Bundle b) {
        Bundle[] using = ref.getUsingBundles();
        return using != null && List.of(using).contains(b);
    }

}
