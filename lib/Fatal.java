/**
 * A fatal condition, reported as {@code postmulti: fatal: <message>} with exit status 1.
 * Thrown instead of exiting so that every caller unwinds (and undoes its work) first.
 */
class Fatal extends RuntimeException {
    /** A warning the C program prints just before this fatal error, saying why; or null. */
    private String warning;

    Fatal(String message) {
        super(message, null, false, false);
    }

    Fatal(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /** A fatal error reported after a warning that says why (as Postfix's dictionary errors are). */
    static Fatal afterWarning(String warning, String message) {
        Fatal fatal = new Fatal(message);
        fatal.warning = warning;
        return fatal;
    }

    String warning() {
        return warning;
    }
}
