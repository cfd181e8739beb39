package io.synapsews.mediators.internal.manage;

/** A management request refused: the HTTP status, the field it concerns (or null) and why. */
final class BadRequest extends Exception {

    private static final long serialVersionUID = 1L;

    final int status;
    final String field;

    BadRequest(int status, String field, String message) {
        super(message);
        this.status = status;
        this.field = field;
    }

    static BadRequest field(String field, String message) {
        return new BadRequest(400, field, message);
    }

    static BadRequest notFound(String what) {
        return new BadRequest(404, null, what + " not found");
    }

    static BadRequest conflict(String field, String message) {
        return new BadRequest(409, field, message);
    }
}
