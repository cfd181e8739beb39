package io.synapsews.inbound.internal;

/** An inbound endpoint file that cannot be deployed; the message names the file and the parameter. */
public class InboundConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    public InboundConfigException(String message) {
        super(message);
    }

    public InboundConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
