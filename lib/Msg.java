import java.io.PrintStream;

/**
 * Diagnostics in Postfix's shape: {@code postmulti: warning: ...}, {@code postmulti: error: ...},
 * {@code postmulti: fatal: ...}. Unlike the C program, which writes them only when stderr is a
 * terminal, we always write them; like it, we also send them to the mail log ({@link Syslog})
 * once the primary's main.cf is known. Control characters (a newline or NUL in a hostile
 * instance name, say) are shown as '?', as Postfix's msg(3) does, so one message is one line.
 */
final class Msg {
    static final String PROGRAM = "postmulti";
    private static PrintStream err = System.err;
    private static Syslog syslog;
    private static int verbose;

    private Msg() {
    }

    static void redirect(PrintStream stream) {
        err = stream;
    }

    /** Also send warnings, errors and fatal errors to the mail log; null: stderr only. */
    static void logTo(Syslog sink) {
        syslog = sink;
    }

    static void setVerbose(int level) {
        verbose = level;
    }

    static int verbose() {
        return verbose;
    }

    static void warn(String text) {
        diagnostic("warning", text);
    }

    /** A problem that does not stop the program but makes its exit status 1 (Postfix's msg_error). */
    static void error(String text) {
        diagnostic("error", text);
    }

    static void info(String text) {
        line(text);
    }

    static void debug(String text) {
        if (verbose > 0) line(text);
    }

    /** Prints the fatal line; the caller decides the exit status (always 1). */
    static void fatalLine(String text) {
        diagnostic("fatal", text);
    }

    /**
     * A warning in another program's name: one the C program's helper (postconf, say) would
     * print on stderr itself. Not logged: it is not ours to log.
     */
    static void foreignWarning(String program, String text) {
        err.println(MainCf.printable(program) + ": warning: " + MainCf.printable(text));
        err.flush();
    }

    /** A raw line, as glibc getopt prints its complaints. */
    static void raw(String text) {
        err.println(text);
        err.flush();
    }

    static Fatal fatal(String text) {
        return new Fatal(text);
    }

    private static void diagnostic(String level, String text) {
        line(level + ": " + text);
        if (syslog != null) syslog.send(level, MainCf.printable(text));
    }

    private static void line(String text) {
        err.println(PROGRAM + ": " + MainCf.printable(text));
        err.flush();
    }
}
