package io.synapsews.transport.payload;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a {@link PayloadCodec} did with the messages it saw: payloads built because a mediator read
 * them (they leave re-serialized), messages that left with the bytes they arrived with, and
 * messages relayed as the frame they arrived as without a message context, either straight (the
 * sequence only sends or responds) or after the steps of a compiled plan. Read by the metrics.
 */
public final class PayloadCounters {

    final LongAdder built = new LongAdder();
    final LongAdder untouched = new LongAdder();
    final LongAdder relayed = new LongAdder();
    final LongAdder compiled = new LongAdder();

    public long built() {
        return built.sum();
    }

    public long untouched() {
        return untouched.sum();
    }

    /** Relayed straight: no step ran. */
    public long relayed() {
        return relayed.sum();
    }

    /** Relayed after the steps of a compiled plan (counters, checks made at the handshake). */
    public long compiled() {
        return compiled.sum();
    }
}
