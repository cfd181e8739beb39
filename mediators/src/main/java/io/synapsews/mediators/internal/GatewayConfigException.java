package io.synapsews.mediators.internal;

/** A gateway configuration file that cannot be used; the message names the file and the setting. */
public final class GatewayConfigException extends Exception {

    public GatewayConfigException(String message) {
        super(message);
    }

    public GatewayConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
