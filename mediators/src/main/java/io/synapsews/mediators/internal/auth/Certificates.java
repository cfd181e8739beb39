package io.synapsews.mediators.internal.auth;

import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;

import io.synapsews.transport.config.ServerHome;

/** Reads the public key of an X.509 certificate file (PEM or DER). */
public final class Certificates {

    private Certificates() {
    }

    public static PublicKey publicKey(File home, String path) {
        File f = ServerHome.resolve(home, path);
        try (InputStream in = new FileInputStream(f)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey();
        } catch (Exception e) {
            throw new IllegalArgumentException("certificate " + f + " cannot be read: " + e.getMessage(), e);
        }
    }
}
