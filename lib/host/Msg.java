import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Diagnostics in Postfix's shape: {@code postmulti: warning: ...}, {@code postmulti: error: ...},
 * {@code postmulti: fatal: ...}. Unlike the C program, which writes them only when stderr is a
 * terminal, we always write them; like it, we also send them to the mail log ({@link Syslog})
 * once the primary's main.cf is known. Control characters (a newline or NUL in a hostile
 * instance name, say) are shown as '?', as Postfix's msg(3) does, so one message is one line.
 *
 * <p>Life-cycle actions also speak for the C program's helper script and the commands it runs
 * ({@link #said}, {@link #commandLine}): we do their work, so we say what they would.
 */
final class Msg {
    static final String PROGRAM = "postmulti";
    private static PrintStream err = System.err;
    private static Syslog syslog;
    private static int verbose;
    private static boolean utf8;
    /** While not null, what would be printed or logged waits here (see {@link #defer}). */
    private static List<Runnable> deferred;

    private Msg() {
    }

    /** Where the lines go: a stream that flushes at each line (autoflush), as stderr must. */
    static void redirect(PrintStream stream) {
        err = stream;
    }

    /** Also send warnings, errors and fatal errors to the mail log; null: stderr only. */
    static void logTo(Syslog sink) {
        syslog = sink;
    }

    /**
     * Whether UTF-8 counts as printable: Postfix programs show it as it is when the primary
     * main.cf has smtputf8_enable = yes (the default since compatibility level 1), else every
     * byte above 126 as '?'.
     */
    static void allowUtf8(boolean on) {
        utf8 = on;
    }

    /**
     * From now on, holds back what would be printed or logged, until {@link #replay} prints it
     * or {@link #drop} forgets it: for a first pass whose words count only if no second pass
     * follows (see Lifecycle).
     */
    static void defer() {
        deferred = new ArrayList<>();
    }

    /** Prints and logs what was held back, and stops holding back. */
    static void replay() {
        List<Runnable> held = deferred;
        deferred = null;
        if (held != null) held.forEach(Runnable::run);
    }

    /** Forgets what was held back, and stops holding back. */
    static void drop() {
        deferred = null;
    }

    /*
     * Each output method below holds itself back, as a lambda, while deferring: the lambda is
     * made only then, so that a start that defers nothing links none (docs/PERFORMANCE.md).
     */

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
     * A line in the name of the primary's postconf, which the C program runs to read each
     * secondary, and whose warnings and fatal errors reach stderr, terminal or not. Not logged
     * (postconf logs its own), and every byte above 126 shown as '?', as postconf 3.7 shows
     * them whatever smtputf8_enable says.
     */
    static void postconfLine(String postconf, String level, String text) {
        if (deferred != null) {
            deferred.add(() -> postconfLine(postconf, level, text));
            return;
        }
        err.println(printable(postconf, false) + ": " + level + ": " + printable(text, false));
    }

    /** A raw line, as glibc getopt prints its complaints. */
    static void raw(String text) {
        if (deferred != null) {
            deferred.add(() -> raw(text));
            return;
        }
        err.println(text);
    }

    /**
     * A diagnostic of the life-cycle helper script, whose work we do: {@code <tag>: <level>: text}
     * on stderr and in the mail log under that tag, as its postlog(1) calls show and log them.
     */
    static void said(String tag, String level, String text) {
        if (deferred != null) {
            deferred.add(() -> said(tag, level, text));
            return;
        }
        print(tag, level + ": " + text);
        if (syslog != null) syslog.send(tag, level, printable(text));
    }

    /** The complaint of a command the helper script runs, as that command prints it (never logged). */
    static void commandLine(String command, String text) {
        if (deferred != null) {
            deferred.add(() -> commandLine(command, text));
            return;
        }
        print(command, text);
    }

    private static void diagnostic(String level, String text) {
        if (deferred != null) {
            deferred.add(() -> diagnostic(level, text));
            return;
        }
        line(level + ": " + text);
        if (syslog != null) syslog.send(level, printable(text));
    }

    private static void line(String text) {
        if (deferred != null) {
            deferred.add(() -> line(text));
            return;
        }
        print(PROGRAM, text);
    }

    private static void print(String program, String text) {
        err.println(printable(program) + ": " + printable(text));
    }

    /** {@link #printable(String, boolean)}, UTF-8 allowed as the primary's smtputf8_enable says. */
    static String printable(String text) {
        return printable(text, utf8);
    }

    /**
     * Postfix's printable() over a byte string: printable ASCII stays, and with UTF-8 allowed
     * so does a lead byte (194 to 254) that has continuation bytes after it, with all of them;
     * any other byte becomes '?'.
     */
    static String printable(String text, boolean utf8) {
        StringBuilder out = new StringBuilder(text.length());
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else if (utf8 && c >= 194 && c <= 254 && i + 1 < n && isContinuation(text.charAt(i + 1))) {
                out.append(c);
                while (i + 1 < n && isContinuation(text.charAt(i + 1))) out.append(text.charAt(++i));
            } else {
                out.append('?');
            }
        }
        return out.toString();
    }

    private static boolean isContinuation(char c) {
        return c >= 128 && c < 192;
    }
}
