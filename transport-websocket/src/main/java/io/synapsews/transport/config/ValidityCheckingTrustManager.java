package io.synapsews.transport.config;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's trust manager, plus a check of the backend certificate's own dates: PKIX does not check
 * the validity of a trust anchor, so a self-signed backend certificate placed in the trust store
 * would otherwise be accepted long after it expired. Used by the transport sender and by the management
 * API's endpoint test, so that both trust alike.
 */
public final class ValidityCheckingTrustManager extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager delegate;

    private ValidityCheckingTrustManager(X509ExtendedTrustManager delegate) {
        this.delegate = delegate;
    }

    public static ValidityCheckingTrustManager of(TrustManagerFactory tmf) {
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager) {
                return new ValidityCheckingTrustManager((X509ExtendedTrustManager) tm);
            }
        }
        throw new IllegalStateException("no X509 trust manager from " + tmf.getAlgorithm());
    }

    private static void checkDates(X509Certificate[] chain) throws CertificateException {
        if (chain != null && chain.length > 0) {
            chain[0].checkValidity(); // CertificateExpiredException / CertificateNotYetValidException say when
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkDates(chain);
        delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkDates(chain);
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkDates(chain);
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
