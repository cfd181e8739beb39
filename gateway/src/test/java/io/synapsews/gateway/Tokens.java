package io.synapsews.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Gets access tokens from an OAuth2 token endpoint the way the README's curl does. */
final class Tokens {

    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    private Tokens() {
    }

    /** The raw answer of a client_credentials request with HTTP Basic client authentication. */
    static HttpResponse<String> request(String tokenUrl, String clientId, String secret) throws Exception {
        return request(tokenUrl, clientId, secret, null);
    }

    /** The same asking for {@code scope} (space separated; null: none). */
    static HttpResponse<String> request(String tokenUrl, String clientId, String secret, String scope) throws Exception {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(tokenUrl))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"
                        + (scope == null ? "" : "&scope=" + scope.replace(" ", "+")))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String clientCredentials(String tokenUrl, String clientId, String secret) throws Exception {
        HttpResponse<String> r = request(tokenUrl, clientId, secret);
        if (r.statusCode() != 200) {
            throw new AssertionError("token endpoint answered " + r.statusCode() + ": " + r.body());
        }
        Matcher m = ACCESS_TOKEN.matcher(r.body());
        if (!m.find()) {
            throw new AssertionError("no access_token in " + r.body());
        }
        return m.group(1);
    }

    /** A token of the demo application's production keys from the built-in key manager. */
    static String demoProduction(TestHome home) throws Exception {
        return clientCredentials("http://localhost:" + home.keyManagerPort + "/oauth2/token",
                DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET);
    }
}
