/**
 * A fatal condition, reported as {@code postmulti: fatal: <message>} with exit status 1.
 * Thrown instead of exiting so that every caller unwinds (and undoes its work) first.
 */
class Fatal extends RuntimeException {
    Fatal(String message) {
        super(message, null, false, false);
    }

    Fatal(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
