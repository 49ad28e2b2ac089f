/**
 * A fatal condition: exit status 1 after one line on stderr. Thrown instead of exiting so that
 * every caller unwinds (and undoes its work) first.
 *
 * <p>Most are our own, {@code postmulti: fatal: <message>}. The C program leaves the file work
 * of {@code -e} to its helper script, whose refusals its users see under the helper's log tag
 * ({@code postfix/postmulti-script: fatal: ...}), and to commands such as mkdir(1), whose
 * complaints they see as those commands print them; we do that work here, and say what went
 * wrong in the words those users know.
 */
class Fatal extends RuntimeException {
    /** Who says it; null: postmulti itself. */
    private final String speaker;
    /** A command's own complaint ("mkdir: cannot create ..."): no level, not logged. */
    private final boolean commandComplaint;
    /** A warning the C program prints just before this fatal error, saying why; or null. */
    private String warning;

    Fatal(String message) {
        this(null, false, message, null);
    }

    Fatal(String message, Throwable cause) {
        this(null, false, message, cause);
    }

    private Fatal(String speaker, boolean commandComplaint, String message, Throwable cause) {
        super(message, cause, false, false);
        this.speaker = speaker;
        this.commandComplaint = commandComplaint;
    }

    /** A refusal of the life-cycle helper script, said (and logged) under its tag. */
    static Fatal fromHelper(String tag, String message) {
        return new Fatal(tag, false, message, null);
    }

    /** The complaint of a command the helper script runs: {@code <command>: <message>}. */
    static Fatal fromCommand(String command, String message) {
        return new Fatal(command, true, message, null);
    }

    /** Prints the line (and logs it, unless it is a command's complaint). */
    void report() {
        if (warning != null) Msg.warn(warning);
        if (speaker == null) Msg.fatalLine(getMessage());
        else if (commandComplaint) Msg.commandLine(speaker, getMessage());
        else Msg.said(speaker, "fatal", getMessage());
    }

    /** A fatal error reported after a warning that says why (as Postfix's dictionary errors are). */
    static Fatal afterWarning(String warning, String message) {
        Fatal fatal = new Fatal(message);
        fatal.warning = warning;
        return fatal;
    }
}
