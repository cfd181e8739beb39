package io.synapsews.mediators.internal.auth;

/** A token that does not grant access; {@code reason} is the label analytics count it under. */
public final class InvalidTokenException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String reason;

    public InvalidTokenException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
