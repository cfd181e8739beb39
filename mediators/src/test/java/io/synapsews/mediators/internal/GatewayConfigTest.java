package io.synapsews.mediators.internal;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayConfigTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String xml) throws Exception {
        File f = dir.resolve("websocket-gateway.xml").toFile();
        Files.write(f.toPath(), xml.getBytes(StandardCharsets.UTF_8));
        return GatewayConfig.load(f, dir.toFile());
    }

    private String error(String xml) {
        return assertThrows(GatewayConfigException.class, () -> load(xml)).getMessage();
    }

    @Test
    void defaultsAndTheShippedTiers() throws Exception {
        GatewayConfig c = load("<gateway><applications><application name=\"A\"><keys clientId=\"a\" clientSecret=\"s\"/>"
                + "<keys type=\"sandbox\" clientId=\"a-sb\"/><subscription api=\"Echo\" version=\"1.0\" tier=\"Gold\"/>"
                + "</application></applications></gateway>");
        assertEquals(5000, c.tiers().get("Gold").messagesPerMinute());
        assertEquals(2000, c.tiers().get("Silver").messagesPerMinute());
        assertEquals(1000, c.tiers().get("Bronze").messagesPerMinute());
        assertEquals(0, c.tiers().get("Unlimited").messagesPerMinute());
        assertEquals(-1, c.analyticsPort());
        assertTrue(!c.keyManagerEnabled());
        assertEquals("A", c.directory().application("a-sb").name());
        assertEquals("SANDBOX", c.directory().keys("a-sb").keyType());
        assertNull(c.directory().keys("a-sb").clientSecret());
        assertNotNull(c.directory().application("a").subscription("Echo", "1.0"));
        assertNull(c.directory().application("a").subscription("Echo", "2.0"));
    }

    @Test
    void aTierCanBeRedefinedAndGetAByteLimit() throws Exception {
        GatewayConfig c = load("<gateway><tiers><tier name=\"Gold\" messagesPerMinute=\"10\" bytesPerMinute=\"100\"/></tiers></gateway>");
        assertEquals(10, c.tiers().get("Gold").messagesPerMinute());
        assertEquals(100, c.tiers().get("Gold").bytesPerMinute());
    }

    @Test
    void everyErrorNamesTheFileAndTheSetting() {
        String e = error("<gateway><keyManager port=\"70000\"/></gateway>");
        assertTrue(e.contains("websocket-gateway.xml") && e.contains("keyManager/@port") && e.contains("70000"), e);
        e = error("<gateway><keyManager/></gateway>");
        assertTrue(e.contains("keyManager/@port is required"), e);
        e = error("<gateway><applications><application name=\"A\"><subscription api=\"x\" version=\"1\" tier=\"Platinum\"/>"
                + "</application></applications></gateway>");
        assertTrue(e.contains("application 'A'/subscription/@tier") && e.contains("Platinum"), e);
        e = error("<gateway><applications><application name=\"A\"><keys clientId=\"same\"/></application>"
                + "<application name=\"B\"><keys clientId=\"same\"/></application></applications></gateway>");
        assertTrue(e.contains("'same' is used twice"), e);
        e = error("<gateway><applications><application name=\"A\"><keys type=\"STAGING\" clientId=\"a\"/></application></applications></gateway>");
        assertTrue(e.contains("STAGING"), e);
        e = error("<gateway><tiers><tier name=\"T\" messagesPerMinute=\"many\"/></tiers></gateway>");
        assertTrue(e.contains("tier/@messagesPerMinute must be a whole number"), e);
        e = error("<gateway><keyManager port=\"1\" keyStore=\"missing.jks\" keyStorePassword=\"x\"/></gateway>");
        assertTrue(e.contains("keyManager/@keyStore") && e.contains("missing.jks"), e);
        e = error("<gateway><counterStore type=\"memcached\"/></gateway>");
        assertTrue(e.contains("counterStore/@type") && e.contains("memcached"), e);
        e = error("<gateway><counterStore type=\"redis\" uri=\"http://127.0.0.1:6379\"/></gateway>");
        assertTrue(e.contains("counterStore/@uri") && e.contains("http://127.0.0.1:6379"), e);
        e = error("<gateway><counterStore type=\"redis\" onStoreFailure=\"panic\"/></gateway>");
        assertTrue(e.contains("counterStore/@onStoreFailure") && e.contains("panic"), e);
        e = error("<gateway><counterStore type=\"redis\" nodes=\"0\"/></gateway>");
        assertTrue(e.contains("counterStore/@nodes"), e);
        e = error("<gateway nodeId=\"node 1~x\"/>");
        assertTrue(e.contains("@nodeId (or --node-id)") && e.contains("node 1~x"), e); // it is part of every connection id
        e = error("<gateway><unclosed></gateway>");
        assertTrue(e.contains("not well-formed XML"), e);
        e = error("<gatewy/>");
        assertTrue(e.contains("root element must be <gateway>"), e);
    }

    @Test
    void theManagementElementIsCheckedWhereItIsRead() throws Exception {
        assertNull(load("<gateway/>").management(), "off without the element");
        assertNull(load("<gateway><management enabled=\"false\"/></gateway>").management());
        var m = load("<gateway><management tls=\"false\" port=\"0\"/></gateway>").management();
        assertEquals(0, m.port());
        assertEquals("dispatchSeq", m.sequence());
        assertEquals(1001, m.closeCode());
        assertEquals(9443, load("<gateway><management tls=\"false\"/></gateway>").management().port());
        String e = error("<gateway><management/></gateway>");
        assertTrue(e.contains("websocket-gateway.xml") && e.contains("management/@keyStore") && e.contains("tls=\"false\""), e);
        e = error("<gateway><management keyStore=\"missing.jks\" keyStorePassword=\"x\"/></gateway>");
        assertTrue(e.contains("management/@keyStore") && e.contains("missing.jks"), e);
        e = error("<gateway><management tls=\"false\" closeCode=\"1006\"/></gateway>");
        assertTrue(e.contains("management/@closeCode") && e.contains("1006"), e);
        e = error("<gateway><management tls=\"false\" port=\"99999\"/></gateway>");
        assertTrue(e.contains("management/@port"), e);
    }
}
