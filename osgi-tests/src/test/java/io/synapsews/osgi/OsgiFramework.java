package io.synapsews.osgi;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Manifest;

import aQute.bnd.osgi.Analyzer;
import aQute.bnd.osgi.Constants;
import aQute.bnd.osgi.Jar;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * A real OSGi framework (Felix or Equinox, whichever is on the class path of this run) with our bundles and
 * the Netty bundles they need installed from the patch folder or the p2 repository, the bundles a Synapse server
 * provides itself ({@code target/server}), and the jars of {@code target/wrap} turned into bundles the way an
 * administrator's server has them (every package exported at the jar's version, every import optional).
 */
final class OsgiFramework implements AutoCloseable {

    final String name;
    final Framework framework;
    final List<Bundle> installed = new ArrayList<>();

    private OsgiFramework(String name, Framework framework) {
        this.name = name;
        this.framework = framework;
    }

    static OsgiFramework start() throws Exception {
        String name = System.getProperty("osgi.framework", "felix");
        FrameworkFactory factory = (FrameworkFactory) Class.forName(name.equals("equinox")
                ? "org.eclipse.osgi.launch.EquinoxFactory" : "org.apache.felix.framework.FrameworkFactory")
                .getDeclaredConstructor().newInstance();
        File storage = new File(System.getProperty("osgi.work.dir", "target/frameworks"), name);
        Map<String, String> config = new HashMap<>();
        config.put("org.osgi.framework.storage", storage.getAbsolutePath());
        config.put("org.osgi.framework.storage.clean", "onFirstInit");
        Framework framework = factory.newFramework(config);
        framework.start();
        OsgiFramework f = new OsgiFramework(name, framework);
        BundleContext ctx = framework.getBundleContext();
        // ours and Netty: from the patch folder (Felix run) or the p2 repository (Equinox run)
        String ours = System.getProperty("osgi.ours.dir", p2Plugins().getPath());
        System.out.println(name + ": installing our bundles from " + ours);
        for (String dir : List.of(ours, System.getProperty("osgi.server.dir", "target/server"))) {
            for (File jar : jars(dir)) {
                f.installed.add(ctx.installBundle(jar.toURI().toString()));
            }
        }
        File wrapped = new File(storage.getParentFile(), name + "-wrapped");
        wrapped.mkdirs();
        for (File jar : jars(System.getProperty("osgi.wrap.dir", "target/wrap"))) {
            f.installed.add(ctx.installBundle(wrap(jar, wrapped).toURI().toString()));
        }
        return f;
    }

    /** The plugins folder of the p2 repository built by {@code features/p2-repository}. */
    static File p2Plugins() {
        return new File(System.getProperty("osgi.p2.repo", "../features/p2-repository/target/p2-repo"), "plugins");
    }

    static List<File> jars(String dir) {
        File[] files = new File(dir).listFiles((d, n) -> n.endsWith(".jar"));
        if (files == null || files.length == 0) {
            throw new IllegalStateException("no bundles in " + dir + " (the build puts them there: mvn verify from the root)");
        }
        Arrays.sort(files);
        return Arrays.asList(files);
    }

    /** {@code axis2-kernel-1.7.7.jar} becomes bundle {@code axis2-kernel} 1.7.7 exporting all its packages. */
    static File wrap(File jar, File dir) throws Exception {
        String base = jar.getName().substring(0, jar.getName().length() - ".jar".length());
        int dash = base.lastIndexOf('-');
        String symbolicName = base.substring(0, dash);
        String version = base.substring(dash + 1).replace('-', '.');
        String osgiVersion = osgiVersion(version);
        File out = new File(dir, base + ".jar");
        try (Jar content = new Jar(jar); Analyzer analyzer = new Analyzer()) {
            analyzer.setJar(content);
            analyzer.setProperty(Constants.BUNDLE_SYMBOLICNAME, symbolicName);
            analyzer.setProperty(Constants.BUNDLE_VERSION, osgiVersion);
            analyzer.setProperty(Constants.EXPORT_PACKAGE, "*;version=" + osgiVersion);
            analyzer.setProperty(Constants.IMPORT_PACKAGE, "*;resolution:=optional");
            analyzer.setProperty(Constants.NOEE, "true");
            Manifest manifest = analyzer.calcManifest();
            content.setManifest(manifest);
            content.write(out);
        }
        return out;
    }

    /** 1.7.7 stays, 0.9.1.1 becomes 0.9.1.1 (the fourth part is a qualifier). */
    private static String osgiVersion(String v) {
        String[] p = v.split("\\.");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            s.append(i > 0 ? "." : "").append(i < p.length && p[i].matches("\\d+") ? p[i] : "0");
        }
        if (p.length > 3) {
            s.append('.').append(String.join("_", Arrays.copyOfRange(p, 3, p.length)));
        }
        return s.toString();
    }

    Bundle bundle(String symbolicName) {
        for (Bundle b : framework.getBundleContext().getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName + " in " + name);
    }

    boolean isFragment(Bundle b) {
        return b.getHeaders().get("Fragment-Host") != null;
    }

    /** Starts every installed bundle that is not a fragment; the first failure says which bundle and why. */
    void startAll() throws BundleException {
        for (Bundle b : installed) {
            if (!isFragment(b)) {
                b.start();
            }
        }
    }

    @Override
    public void close() throws BundleException, IOException {
        framework.stop();
        try {
            framework.waitForStop(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the framework stopped", e);
        }
    }
}
