package io.synapsews.gateway;

import java.io.File;

/**
 * {@code java -jar synapse-ws-gateway.jar [--home DIR] [--backend URL] [--demo-backend] ...}: starts
 * the gateway from a server home, or from the built-in demo home (the EchoWebSocket API on
 * ws://localhost:9099/echowebsocket/1.0 and wss://localhost:8099/echowebsocket/1.0).
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) throws Exception {
        File home = null;
        boolean demo;
        String backend = null;
        boolean demoBackend = false;
        int wsPort = 9099;
        int wssPort = 8099;
        int keyManagerPort = 9095;
        int analyticsPort = 9191;
        int managementPort = 9443;
        String sandbox = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home": home = new File(value(args, ++i, "--home")); break;
                case "--backend": backend = value(args, ++i, "--backend"); break;
                case "--demo-backend": demoBackend = true; break;
                case "--ws-port": wsPort = Integer.parseInt(value(args, ++i, "--ws-port")); break;
                case "--wss-port": wssPort = Integer.parseInt(value(args, ++i, "--wss-port")); break;
                case "--sandbox-backend": sandbox = value(args, ++i, "--sandbox-backend"); break;
                case "--key-manager-port": keyManagerPort = Integer.parseInt(value(args, ++i, "--key-manager-port")); break;
                case "--analytics-port": analyticsPort = Integer.parseInt(value(args, ++i, "--analytics-port")); break;
                case "--management-port": managementPort = Integer.parseInt(value(args, ++i, "--management-port")); break;
                // this gateway's name among several (in /health; nodeId on <gateway> overrides it)
                case "--node-id": System.setProperty("synapsews.node.id", value(args, ++i, "--node-id")); break;
                case "-h": case "--help": usage(); return;
                default:
                    System.err.println("unknown option " + args[i]);
                    usage();
                    System.exit(2);
            }
        }
        EchoBackend echo = null;
        if (demoBackend) {
            echo = new EchoBackend(0);
            backend = echo.url();
            System.out.println("demo echo backend listening on " + backend);
        }
        demo = home == null;
        if (demo) {
            home = new File(System.getProperty("user.home"), ".synapse-ws/demo-home");
            File keyStore = DemoHome.write(home, wsPort, wssPort, backend == null ? "ws://localhost:8080/" : backend);
            DemoHome.setGatewayPorts(home, keyManagerPort, analyticsPort);
            DemoHome.setManagementPort(home, managementPort, wsPort, wssPort);
            if (sandbox != null) {
                DemoHome.setSandboxBackend(home, sandbox);
            }
            System.out.println("demo home: " + home.getAbsolutePath());
            System.out.println("demo key store (password wso2carbon): " + keyStore.getAbsolutePath());
        } else if (backend != null) {
            if (!new File(home, DemoHome.DEMO_API).isFile()) {
                System.err.println("--backend needs " + DemoHome.DEMO_API + " in " + home);
                System.exit(2);
            }
            DemoHome.setBackend(home, backend);
        }
        if (!demo && sandbox != null) {
            DemoHome.setSandboxBackend(home, sandbox);
        }
        Gateway gateway = Gateway.start(home);
        EchoBackend echoBackend = echo;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping: clients get 1001");
            gateway.close();
            if (echoBackend != null) {
                echoBackend.close();
            }
        }, "synapse-ws-shutdown"));
        if (demo) {
            System.out.println("synapse-ws gateway started; EchoWebSocket API at ws://localhost:" + wsPort
                    + "/echowebsocket/1.0 and wss://localhost:" + wssPort + "/echowebsocket/1.0");
            System.out.println("get a token: curl -s -u " + DemoHome.PRODUCTION_CLIENT + ":" + DemoHome.PRODUCTION_SECRET
                    + " -d grant_type=client_credentials http://localhost:" + keyManagerPort + "/oauth2/token");
            System.out.println("metrics: http://localhost:" + analyticsPort + "/metrics");
            System.out.println("management REST APIs (admin/admin): https://localhost:" + managementPort
                    + "/api/am/publisher/v4/apis and /api/am/devportal/v3/apis");
        } else {
            System.out.println("synapse-ws gateway started from " + home.getAbsolutePath());
        }
        Thread.currentThread().join();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println(option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    private static void usage() {
        System.out.println("usage: java -jar synapse-ws-gateway.jar [--home DIR] [--backend URL] [--demo-backend]"
                + " [--sandbox-backend URL] [--ws-port N] [--wss-port N] [--key-manager-port N] [--analytics-port N]"
                + " [--management-port N] [--node-id NAME]");
    }
}
