package io.synapsews.inbound.internal;

/** The HTTP answer to a client handshake that is not accepted. */
final class HandshakeRejection {

    final int status;
    final String body;

    HandshakeRejection(int status, String body) {
        this.status = status;
        this.body = body == null ? "" : body;
    }
}
