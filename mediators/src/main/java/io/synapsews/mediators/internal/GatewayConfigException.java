package io.synapsews.mediators.internal;

/** A gateway configuration file that cannot be used; the message names the file and the setting. */
public final class GatewayConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    public GatewayConfigException(String message) {
        super(message);
    }

    public GatewayConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
