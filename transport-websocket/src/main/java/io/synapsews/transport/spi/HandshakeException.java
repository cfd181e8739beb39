package io.synapsews.transport.spi;

/**
 * A client handshake that cannot be completed, carrying the HTTP status the client receives
 * (502 when the backend refused or could not be reached, 504 when it did not answer in time).
 */
public class HandshakeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public HandshakeException(int status, String message) {
        super(message);
        this.status = status;
    }

    public HandshakeException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
