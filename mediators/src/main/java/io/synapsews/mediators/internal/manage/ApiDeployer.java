package io.synapsews.mediators.internal.manage;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import javax.xml.stream.XMLStreamException;

import org.apache.axiom.om.OMElement;
import org.apache.axiom.om.util.AXIOMUtil;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.synapse.Mediator;
import org.apache.synapse.config.SynapseConfiguration;
import org.apache.synapse.config.xml.MediatorFactoryFinder;
import org.apache.synapse.config.xml.endpoints.EndpointFactory;
import org.apache.synapse.core.SynapseEnvironment;
import org.apache.synapse.endpoints.Endpoint;
import org.apache.synapse.mediators.base.SequenceMediator;

/**
 * Turns the deployed APIs into Synapse configuration, in the running server: one address endpoint per
 * API and key type, and the sequence the inbound endpoints name, routing each handshake by its path
 * (context and version) to that API's token check, tier and key-type switch, exactly as the demo's
 * hand-written {@code dispatchSeq} does for EchoWebSocket. Connections opened before a change keep the
 * lane they chose; the sequence object is replaced whole, so a message never sees half a change. The
 * generated files are written under the state directory ({@code synapse-config/}) for the administrator.
 */
final class ApiDeployer {

    private static final Log log = LogFactory.getLog(ApiDeployer.class);
    private static final String NS = "http://ws.apache.org/ns/synapse";

    private final SynapseEnvironment env;
    private final String sequence;
    private final ManagementStore store;
    /** The endpoints this deployer defined, to remove those of APIs no longer deployed. */
    private final Set<String> ours = new LinkedHashSet<>();

    ApiDeployer(SynapseEnvironment env, String sequence, ManagementStore store) {
        this.env = env;
        this.sequence = sequence;
        this.store = store;
    }

    /** Makes {@code apis} (the deployed ones) what the gateway serves. */
    synchronized void deploy(Collection<ApiDefinition> apis) throws IOException {
        SynapseConfiguration config = env.getSynapseConfiguration();
        Set<String> wanted = new LinkedHashSet<>();
        for (ApiDefinition api : apis) {
            if (api.operations.isEmpty()) {
                endpoint(config, api.endpointName("PRODUCTION"), api.productionUrl, wanted);
                endpoint(config, api.endpointName("SANDBOX"), api.sandboxUrl, wanted);
            }
            for (int i = 0; i < api.operations.size(); i++) {
                String mapping = String.valueOf(api.operations.get(i).get("uriMapping"));
                endpoint(config, api.endpointName("PRODUCTION", i), join(api.productionUrl, mapping), wanted);
                endpoint(config, api.endpointName("SANDBOX", i), join(api.sandboxUrl, mapping), wanted);
            }
        }
        String xml = sequenceXml(apis);
        SequenceMediator seq = (SequenceMediator) MediatorFactoryFinder.getInstance().getMediator(om(xml), new Properties());
        seq.init(env);
        Mediator old = config.getDefinedSequences().get(sequence);
        if (old != null) {
            config.updateSequence(sequence, seq);
        } else {
            config.addSequence(sequence, seq);
        }
        store.write(new File(store.dir(), "synapse-config/sequences/" + sequence + ".xml"), xml);
        List<String> gone = new ArrayList<>(ours);
        gone.removeAll(wanted);
        for (String name : gone) {
            Endpoint e = config.getDefinedEndpoints().get(name);
            config.removeEndpoint(name);
            if (e != null) {
                e.destroy();
            }
            ours.remove(name);
            java.nio.file.Files.deleteIfExists(new File(store.dir(), "synapse-config/endpoints/" + name + ".xml").toPath());
        }
        log.info("management: sequence " + sequence + " now routes " + apis.size() + " API(s)"
                + (apis.isEmpty() ? "" : ": " + apis.stream().map(ApiDefinition::path).collect(java.util.stream.Collectors.toList())));
    }

    /** A backend URL and a topic's path: {@code ws://b/base/} and {@code /rooms/x} give {@code ws://b/base/rooms/x}. */
    private static String join(String url, String path) {
        if (url == null) {
            return null;
        }
        return (url.endsWith("/") ? url.substring(0, url.length() - 1) : url) + path;
    }

    private void endpoint(SynapseConfiguration config, String name, String url, Set<String> wanted) throws IOException {
        if (url == null) {
            return;
        }
        String xml = "<endpoint xmlns=\"" + NS + "\" name=\"" + attr(name) + "\">\n    <address uri=\"" + attr(url) + "\"/>\n</endpoint>\n";
        Endpoint e = EndpointFactory.getEndpointFromElement(om(xml), false, new Properties());
        e.init(env);
        if (config.getDefinedEndpoints().containsKey(name)) {
            config.updateEndpoint(name, e);
        } else {
            config.addEndpoint(name, e);
        }
        ours.add(name);
        wanted.add(name);
        store.write(new File(store.dir(), "synapse-config/endpoints/" + name + ".xml"), xml);
    }

    /** The inbound endpoints' sequence for these APIs (a switch on the handshake's path). */
    String sequenceXml(Collection<ApiDefinition> apis) {
        StringBuilder b = new StringBuilder();
        b.append("<!-- generated by the management API from ").append(store.dir()).append("/apis; do not edit -->\n");
        b.append("<sequence xmlns=\"").append(NS).append("\" name=\"").append(attr(sequence)).append("\" onError=\"fault\">\n");
        b.append("    <switch source=\"get-property('websocket.subscriber.path')\">\n");
        for (ApiDefinition api : apis) {
            b.append("        <!-- ").append(api.name).append(' ').append(api.version).append(" (").append(api.id).append(") -->\n");
            b.append("        <case regex=\"").append(attr(regex(api.path()))).append("(/.*)?(\\?.*)?\">\n");
            if (api.operations.isEmpty()) {
                body(b, api, "", keyType -> api.endpointName(keyType), "            ");
            } else {
                // one case per topic; a path under the API that is none of them gets 404
                b.append("            <switch source=\"get-property('websocket.subscriber.path')\">\n");
                for (int t = 0; t < api.operations.size(); t++) {
                    Map<String, Object> op = api.operations.get(t);
                    String target = String.valueOf(op.get("target"));
                    b.append("                <!-- topic ").append(target).append(" -->\n");
                    b.append("                <case regex=\"").append(attr(topicRegex(api.path(), target))).append("\">\n");
                    List<?> scopes = (List<?>) op.get("scopes");
                    String extra = scopes.isEmpty() ? "" : " scopes=\"" + attr(scopes.stream().map(String::valueOf)
                            .collect(java.util.stream.Collectors.joining(" "))) + "\"";
                    StringBuilder vars = new StringBuilder();
                    for (String[] v : variables(api.path(), target)) {
                        vars.append("                    <property name=\"uri.var.").append(v[0]).append("\" scope=\"axis2\" expression=\"")
                                .append(attr(v[1])).append("\"/>\n");
                    }
                    int topic = t;
                    body(b, api, extra, keyType -> api.endpointName(keyType, topic), "                    ", vars.toString());
                    b.append("                </case>\n");
                }
                b.append("                <default>\n                    <!-- not a topic of this API -->\n")
                        .append("                    <property name=\"HTTP_SC\" value=\"404\" scope=\"axis2\"/>\n")
                        .append("                    <property name=\"websocket.rejection.reason\" value=\"no_such_topic\" scope=\"axis2\"/>\n")
                        .append("                    <respond/>\n                </default>\n            </switch>\n");
            }
            b.append("        </case>\n");
        }
        b.append("        <default>\n            <!-- no deployed API at this path: the handshake gets 404 -->\n")
                .append("            <property name=\"HTTP_SC\" value=\"404\" scope=\"axis2\"/>\n            <respond/>\n")
                .append("        </default>\n    </switch>\n</sequence>\n");
        return b.toString();
    }

    private void body(StringBuilder b, ApiDefinition api, String wsAuthExtra, java.util.function.Function<String, String> endpoint,
                      String in) {
        body(b, api, wsAuthExtra, endpoint, in, "");
    }

    /** An API's (or topic's) handshake checks and key-type switch, at indentation {@code in}. */
    private void body(StringBuilder b, ApiDefinition api, String wsAuthExtra, java.util.function.Function<String, String> endpoint,
                      String in, String properties) {
        b.append(in).append("<wsAuth api=\"").append(attr(api.name)).append("\" version=\"").append(attr(api.version))
                .append("\" onExpiry=\"close\"").append(wsAuthExtra).append("/>\n");
        b.append(properties);
        b.append(in).append("<wsThrottle onLimit=\"error\"/>\n");
        b.append(in).append("<switch source=\"get-property('api.ut.keyType')\">\n");
        for (String keyType : new String[] {"PRODUCTION", "SANDBOX"}) {
            if ((keyType.equals("PRODUCTION") ? api.productionUrl : api.sandboxUrl) != null) {
                b.append(in).append("    <case regex=\"").append(keyType).append("\"><send><endpoint key=\"")
                        .append(attr(endpoint.apply(keyType))).append("\"/></send></case>\n");
            }
        }
        b.append(in).append("    <default>\n")
                .append(in).append("        <property name=\"HTTP_SC\" value=\"403\" scope=\"axis2\"/>\n")
                .append(in).append("        <property name=\"websocket.rejection.reason\" value=\"no_endpoint_for_key_type\" scope=\"axis2\"/>\n")
                .append(in).append("        <payloadFactory><format><text xmlns=\"http://ws.apache.org/commons/ns/payload\">")
                .append("no backend for this key type</text></format><args/></payloadFactory>\n")
                .append(in).append("        <respond/>\n")
                .append(in).append("    </default>\n");
        b.append(in).append("</switch>\n");
    }

    /** The regular expression of a topic's handshake paths: each {variable} one segment, then an optional query. */
    static String topicRegex(String apiPath, String target) {
        StringBuilder r = new StringBuilder(regex(apiPath));
        for (String part : target.split("(?=\\{)|(?<=})")) {
            r.append(part.startsWith("{") ? "[^/?]+" : regex(part));
        }
        return r.append("(\\?.*)?").toString();
    }

    /**
     * For each variable of {@code target}: its name and an XPath 1.0 expression of the segment the client sent,
     * cut out of {@code websocket.subscriber.path} between the literal text around it.
     */
    static List<String[]> variables(String apiPath, String target) {
        List<String[]> out = new ArrayList<>();
        String[] parts = target.split("(?=\\{)|(?<=})");
        String rest = "concat(get-property('websocket.subscriber.path'), '?')";
        String before = apiPath;
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].startsWith("{")) {
                before += parts[i];
                continue;
            }
            rest = "substring-after(" + rest + ", '" + before + "')";
            String after = i + 1 < parts.length ? parts[i + 1] : "?";
            String name = parts[i].substring(1, parts[i].length() - 1);
            out.add(new String[] {name, "substring-before(" + rest + ", '" + (after.startsWith("{") ? "?" : after) + "')"});
            before = "";
        }
        return out;
    }

    private static OMElement om(String xml) throws IOException {
        try {
            return AXIOMUtil.stringToOM(xml);
        } catch (XMLStreamException e) {
            throw new IOException("generated configuration is not XML: " + e.getMessage(), e);
        }
    }

    /** {@code s} with every regular expression metacharacter escaped. */
    static String regex(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if ("\\.[]{}()*+?^$|".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    private static String attr(String s) {
        return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
