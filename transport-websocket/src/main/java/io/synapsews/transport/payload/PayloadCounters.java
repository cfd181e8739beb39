package io.synapsews.transport.payload;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a {@link PayloadCodec} did with the messages it saw: payloads built because a mediator read
 * them (they leave re-serialized), messages that left with the bytes they arrived with, and
 * messages relayed as the frame they arrived as without a message context. Read by the metrics.
 */
public final class PayloadCounters {

    final LongAdder built = new LongAdder();
    final LongAdder untouched = new LongAdder();
    final LongAdder relayed = new LongAdder();

    public long built() {
        return built.sum();
    }

    public long untouched() {
        return untouched.sum();
    }

    public long relayed() {
        return relayed.sum();
    }
}
