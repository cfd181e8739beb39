package io.synapsews.transport.config;

/** A configuration parameter with a value that cannot be used; the message names the file and the parameter. */
public final class ParameterException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String parameter;

    public ParameterException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** The parameter's name. */
    public String parameter() {
        return parameter;
    }
}
