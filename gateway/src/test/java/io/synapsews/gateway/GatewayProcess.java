package io.synapsews.gateway;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A gateway in a process of its own (the launcher, with paranoid leak detection), its output kept and echoed. */
final class GatewayProcess implements AutoCloseable {

    final Process process;
    final List<String> output = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    /** Starts {@code Launcher} with these arguments; {@link #awaitStarted} waits for it. */
    GatewayProcess(String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        cmd.add("-Dio.netty.leakDetection.level=paranoid");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Launcher.class.getName());
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    System.out.println("[" + name + "] " + line);
                    if (line.contains("synapse-ws gateway started")) {
                        started.complete(null);
                    }
                }
            } catch (Exception ignored) {
                // the process ended
            }
            started.completeExceptionally(new AssertionError(name + " ended before it started:\n" + String.join("\n", output)));
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    GatewayProcess awaitStarted() throws Exception {
        started.get(60, TimeUnit.SECONDS);
        return this;
    }

    /** SIGTERM, then the process's exit and the end of its output. */
    boolean stop(long seconds) throws InterruptedException {
        process.toHandle().destroy(); // Process.destroy() would also close our end of its output, losing the shutdown lines
        boolean exited = process.waitFor(seconds, TimeUnit.SECONDS);
        reader.join(5000);
        return exited;
    }

    String log() {
        return String.join("\n", output);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
