package io.synapsews.transport.payload;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.apache.axiom.om.OMAbstractFactory;
import org.apache.axiom.om.OMElement;
import org.apache.axiom.om.OMSourcedElement;
import org.apache.axiom.om.OMXMLBuilderFactory;
import org.apache.axis2.context.MessageContext;
import org.apache.axis2.description.AxisService;
import org.apache.axis2.json.JSONOMBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our one-pass JSON reader against axis2-json's own mapped builder (jettison), the builder administrators
 * configure for application/json: for every message shape the reader covers, both make the same XML; for
 * every shape it does not cover, it declines (and the builder is used).
 */
class MappedJsonTest {

    private static String axis2Json(String json) throws Exception {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        MessageContext msgCtx = new MessageContext();
        msgCtx.setAxisService(new AxisService("json")); // the builder takes its namespace map from the service
        OMElement e = new JSONOMBuilder().processDocument(new ByteArrayInputStream(bytes), "application/json", msgCtx);
        // as the gateway used it before: the builder's data source under the top-level key, read in full
        OMElement named = OMAbstractFactory.getOMFactory().createOMElement(((OMSourcedElement) e).getDataSource(),
                PayloadCodec.firstKey(bytes), null);
        named.build();
        return named.toString();
    }

    private static OMElement ours(MappedJson events) {
        return OMXMLBuilderFactory.createStAXOMBuilder(OMAbstractFactory.getOMFactory(), new MappedJsonReader(events))
                .getDocumentElement();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"msg\":{\"id\":\"t123\",\"pad\":\"xxxxxxxx\"}}",
        "{\"msg\":\"just text\"}",
        " {\n  \"order\" : { \"id\" : 42 , \"paid\" : true, \"gift\": false, \"n\": -7, \"zero\": 0 } } ",
        "{\"a\":{\"items\":[1,2,3],\"b\":{\"c\":{\"d\":\"deep\"}}}}",
        "{\"a\":{\"items\":[{\"x\":\"1\"},{\"x\":\"2\",\"y\":\"3\"}],\"after\":\"z\"}}",
        "{\"a\":{\"s\":\"quote \\\" backslash \\\\ slash \\/ nl \\n tab \\t u \\u00e9\\u20ac\"}}",
        "{\"a\":{\"s\":\"utf-8 é € 😀 <tag> & amp\"}}",
        "{\"a_b-1\":{\"_x\":\"y\"}}",
    })
    void coveredShapesReadAsAxis2JsonReadsThem(String json) throws Exception {
        MappedJson events = MappedJson.parse(json.getBytes(StandardCharsets.UTF_8));
        assertNotNull(events, "not covered: " + json);
        OMElement ours = ours(events);
        assertEquals(axis2Json(json), ours.toString(), json);
        assertTrue(events.matches(ours), "the tree read from the events matches them");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\":{\"@attr\":\"v\",\"b\":\"c\"}}",
        "{\"a\":{\"$\":\"text\"}}",
        "{\"a\":{\"b\":null}}",
        "{\"a\":{\"b\":1.5}}",
        "{\"a\":{\"b\":1e3}}",
        "{\"a\":{\"b\":007}}",
        "{\"a\":{}}",
        "{\"a\":{\"b\":[]}}",
        "{\"a\":{\"b\":\"\"}}",
        "{\"a\":{\"b\":[[1]]}}",
        "{\"a\":{\"b\":\"1\",\"b\":\"2\"}}",
        "{\"ns.a\":{\"b\":\"c\"}}",
        "{\"a\":\"1\",\"b\":\"2\"}",
        "{\"a\":[1,2]}",
        "[1,2]",
        "{\"a\":{\"b\":\"c\"}",
        "{\"a\":{\"b\":\"c\"}} trailing",
        "{\"a\":{\"b\":tru}}",
    })
    void otherShapesAreLeftToAxis2Json(String json) {
        assertNull(MappedJson.parse(json.getBytes(StandardCharsets.UTF_8)), json);
    }

    @Test
    void aChangedTreeNoLongerMatches() {
        byte[] json = "{\"msg\":{\"id\":\"t1\",\"items\":[1,2]}}".getBytes(StandardCharsets.UTF_8);
        MappedJson events = MappedJson.parse(json);

        OMElement text = ours(events);
        text.getFirstElement().setText("t2");
        assertFalse(events.matches(text), "changed text");

        OMElement added = ours(events);
        OMAbstractFactory.getOMFactory().createOMElement("extra", null, added);
        assertFalse(events.matches(added), "added element");

        OMElement removed = ours(events);
        removed.getFirstElement().detach();
        assertFalse(events.matches(removed), "removed element");

        OMElement attribute = ours(events);
        attribute.addAttribute("x", "1", null);
        assertFalse(events.matches(attribute), "added attribute");

        OMElement renamed = ours(events);
        renamed.getFirstElement().setLocalName("other");
        assertFalse(events.matches(renamed), "renamed element");

        assertTrue(events.matches(ours(events)));
    }
}
