package io.synapsews.mediators.internal.auth;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import com.nimbusds.jwt.SignedJWT;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.synapsews.mediators.internal.Application;
import io.synapsews.mediators.internal.Directory;
import io.synapsews.mediators.internal.GatewayConfig;
import io.synapsews.mediators.internal.GatewayConfigException;
import io.synapsews.mediators.internal.HttpReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A revoked token stays revoked after a restart when the signing key (so the token) outlives it. */
class RevocationsTest {

    @TempDir
    Path home;

    private GatewayConfig config(String extra) throws Exception {
        File ks = home.resolve("signing.p12").toFile();
        if (!ks.isFile()) {
            // keytool of the running JDK: a real key store, as an administrator makes one
            Process p = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/keytool").getPath(), "-genkeypair",
                    "-keyalg", "RSA", "-keysize", "2048", "-alias", "signing", "-dname", "CN=synapse-ws test",
                    "-keystore", ks.getPath(), "-storetype", "PKCS12", "-storepass", "secret1", "-keypass", "secret1")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
        }
        File f = home.resolve("websocket-gateway.xml").toFile();
        Files.write(f.toPath(), ("<gateway><keyManager port=\"1\" keyStore=\"signing.p12\" keyStorePassword=\"secret1\"" + extra + "/>"
                + "<applications><application name=\"A\"><keys type=\"PRODUCTION\" clientId=\"a\" clientSecret=\"a-secret\"/>"
                + "</application></applications></gateway>").getBytes(StandardCharsets.UTF_8));
        return GatewayConfig.load(f, home.toFile());
    }

    private static KeyManager keyManager(GatewayConfig config) throws GatewayConfigException {
        Directory d = new Directory(config.tiers(), config.applications().values());
        return new KeyManager(config, () -> d);
    }

    private static HttpReply revoke(KeyManager km, String token) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/oauth2/revoke",
                Unpooled.copiedBuffer("token=" + token, StandardCharsets.US_ASCII));
        try {
            req.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded");
            req.headers().set(HttpHeaderNames.AUTHORIZATION, "Basic "
                    + Base64.getEncoder().encodeToString("a:a-secret".getBytes(StandardCharsets.US_ASCII)));
            return km.revoke(req);
        } finally {
            req.release();
        }
    }

    @Test
    void aRevocationSurvivesARestartAndABrokenFileStopsTheStart() throws Exception {
        GatewayConfig config = config("");
        KeyManager km = keyManager(config);
        Application app = config.applications().get("A");
        String token = km.issue(app, app.keys().get("PRODUCTION"));
        String other = km.issue(app, app.keys().get("PRODUCTION"));
        String jti = SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
        assertEquals(200, revoke(km, token).status());
        assertTrue(km.revoked(jti));

        File file = home.resolve("repository/data/revoked-tokens.txt").toFile();
        assertTrue(Files.readString(file.toPath()).startsWith(jti + " "), "kept where the configuration reference says");
        KeyManager restarted = keyManager(config(""));
        assertTrue(restarted.revoked(jti), "still revoked after a restart");
        assertFalse(restarted.revoked(SignedJWT.parse(other).getJWTClaimsSet().getJWTID()));
        assertTrue(restarted.scopesOf(token) == null, "the key manager itself no longer vouches for it");

        Files.writeString(file.toPath(), jti + " not-a-time\n");
        String e = assertThrows(GatewayConfigException.class, () -> keyManager(config(""))).getMessage();
        assertTrue(e.contains(file.getPath()) && e.contains("line 1") && e.contains("revocationsFile"), e);

        // an empty revocationsFile: in memory only
        Files.delete(file.toPath());
        KeyManager inMemory = keyManager(config(" revocationsFile=\"\""));
        assertEquals(200, revoke(inMemory, other).status());
        assertFalse(file.exists());
    }
}
