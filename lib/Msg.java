import java.io.PrintStream;

/**
 * Diagnostics in Postfix's shape: {@code postmulti: warning: ...}, {@code postmulti: fatal: ...}.
 * Unlike the C program, which writes them only when stderr is a terminal, we always write them.
 */
final class Msg {
    static final String PROGRAM = "postmulti";
    private static PrintStream err = System.err;
    private static int verbose;

    private Msg() {
    }

    static void redirect(PrintStream stream) {
        err = stream;
    }

    static void setVerbose(int level) {
        verbose = level;
    }

    static int verbose() {
        return verbose;
    }

    static void warn(String text) {
        line("warning: " + text);
    }

    static void info(String text) {
        line(text);
    }

    static void debug(String text) {
        if (verbose > 0) line(text);
    }

    /** Prints the fatal line; the caller decides the exit status (always 1). */
    static void fatalLine(String text) {
        line("fatal: " + text);
    }

    /** A raw line, as glibc getopt prints its complaints. */
    static void raw(String text) {
        err.println(text);
        err.flush();
    }

    static Fatal fatal(String text) {
        return new Fatal(text);
    }

    private static void line(String text) {
        err.println(PROGRAM + ": " + text);
        err.flush();
    }
}
