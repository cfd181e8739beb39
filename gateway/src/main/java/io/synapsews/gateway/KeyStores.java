package io.synapsews.gateway;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Makes self-signed key stores with the JDK's own keytool, for the demo and for tests. */
public final class KeyStores {

    private KeyStores() {
    }

    /**
     * Creates {@code file} holding one RSA key pair and a self-signed certificate for localhost
     * and 127.0.0.1. The store type (JKS or PKCS12) follows the file name's extension.
     */
    public static void selfSigned(File file, String alias, String password) throws IOException {
        selfSigned(file, alias, password, "dns:localhost,ip:127.0.0.1", null, 3650);
    }

    /**
     * A self-signed key store for the names {@code san} (keytool's SAN syntax), valid for
     * {@code validityDays} from {@code startDate} (keytool's syntax, for example {@code -10d};
     * null for now): the tests make expired and wrongly named certificates with it.
     */
    public static void selfSigned(File file, String alias, String password, String san, String startDate,
                                  int validityDays) throws IOException {
        File dir = file.getAbsoluteFile().getParentFile();
        if (!dir.isDirectory() && !dir.mkdirs()) {
            throw new IOException("cannot create " + dir);
        }
        String type = file.getName().endsWith(".p12") || file.getName().endsWith(".pfx") ? "PKCS12" : "JKS";
        List<String> cmd = new ArrayList<>(Arrays.asList(keytool(), "-genkeypair", "-alias", alias, "-keyalg", "RSA",
                "-keysize", "2048", "-validity", String.valueOf(validityDays), "-dname", "CN=" + alias, "-ext", "SAN=" + san,
                "-keystore", file.getPath(), "-storetype", type, "-storepass", password, "-keypass", password, "-noprompt"));
        if (startDate != null) {
            cmd.add("-startdate");
            cmd.add(startDate);
        }
        run(cmd);
    }

    /** Exports the certificate of {@code alias} into the trust store {@code trustFile}, creating it if needed. */
    public static void trustStoreFor(File keyStore, String alias, String password, File trustFile) throws IOException {
        File cert = new File(trustFile.getPath() + ".cer");
        exportCertificate(keyStore, alias, password, cert);
        String type = trustFile.getName().endsWith(".p12") ? "PKCS12" : "JKS";
        run(Arrays.asList(keytool(), "-importcert", "-alias", alias, "-file", cert.getPath(), "-keystore",
                trustFile.getPath(), "-storetype", type, "-storepass", password, "-noprompt"));
        cert.delete();
    }

    /** Writes the certificate of {@code alias} as PEM, for clients that take a CA file. */
    public static void exportCertificate(File keyStore, String alias, String password, File pemFile) throws IOException {
        run(Arrays.asList(keytool(), "-exportcert", "-rfc", "-alias", alias, "-keystore", keyStore.getPath(),
                "-storepass", password, "-file", pemFile.getPath()));
    }

    private static String keytool() {
        return new File(System.getProperty("java.home"), "bin/keytool").getPath();
    }

    private static void run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (p.waitFor() != 0) {
                throw new IOException("keytool failed: " + new String(out, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }
}
