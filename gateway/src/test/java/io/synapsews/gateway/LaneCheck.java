package io.synapsews.gateway;

import io.synapsews.transport.payload.PayloadCodec;
import io.synapsews.transport.payload.PayloadCounters;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lane executions of the suite. The gateway module's tests run once as configured (a sequence
 * that only sends is relayed, the demo API's is compiled) and then, for the classes that prove what a
 * connection does with messages (conformance, faults, the API gateway, liveness, drain, the relay end
 * to end), twice more: with {@code synapsews.relay.lane=false} (every relayed sequence becomes a
 * compiled plan) and with both lanes off (every message mediated by the full engine). After each class
 * of those runs this checks that its messages really took the lane forced, so a run whose setting did
 * not reach the gateway fails instead of passing as a copy of the first.
 */
public final class LaneCheck implements AfterAllCallback {

    /** The lane the JVM's system properties force on every endpoint. */
    enum Lane { AS_CONFIGURED, COMPILED, MEDIATED }

    static Lane forced() {
        boolean relay = !"false".equals(System.getProperty("synapsews.relay.lane"));
        boolean compiled = !"false".equals(System.getProperty("synapsews.compiled.lane"));
        return relay ? Lane.AS_CONFIGURED : compiled ? Lane.COMPILED : Lane.MEDIATED;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Lane lane = forced();
        if (lane == Lane.AS_CONFIGURED) {
            return;
        }
        PayloadCounters c = PayloadCodec.shared().counters();
        if (c.relayed() + c.compiled() + c.untouched() + c.built() == 0) {
            return; // the class sent no message (or was skipped: FastPathTest)
        }
        String of = context.getDisplayName() + " with every lane but " + lane + " off: ";
        assertEquals(0, c.relayed(), of + "messages relayed straight");
        if (lane == Lane.COMPILED) {
            assertTrue(c.compiled() > 0, of + "no message took the compiled lane");
        } else {
            assertEquals(0, c.compiled(), of + "messages relayed by a compiled plan");
            assertTrue(c.untouched() + c.built() > 0, of + "no message was mediated");
        }
    }
}
