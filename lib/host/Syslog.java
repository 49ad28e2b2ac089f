import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Copies our warnings, errors and fatal errors to the mail log, as the C program does (it logs
 * every message through syslog, and shows them on stderr only on a terminal): through the
 * primary's {@code $command_directory/postlog}, so that the record lands where Postfix's own do
 * (syslog or maillog_file), tagged {@code <syslog_name>/postmulti} like the C program's,
 * {@code postfix/postmulti} by default; what the life-cycle helper script would say goes under its
 * tag ({@code postfix/postmulti-script}), as its own postlog calls log it. Informational lines are
 * not copied: postlog is a process per message, and only diagnostics are worth one.
 *
 * <p>Without a postlog there (a test tree, a host without Postfix) nothing is logged. Warnings
 * and errors wait for postlog (at most {@link #WAIT_SECONDS}), so records keep their order.
 * A fatal error's postlog is started detached, through a shell that puts it in the background
 * and exits: postlog pauses a second after logging a fatal error, as Postfix programs do, and
 * a child of our own, even one not waited for, kept the JVM's exit waiting about 300 ms for
 * the thread that watches it. The fatal record is the last one anyway: we are about to exit.
 */
final class Syslog {
    private static final long WAIT_SECONDS = 5;
    /** Runs its arguments as a background job and exits at once: sh -c DETACH sh CMD ARGS... */
    private static final List<String> DETACH = List.of("/bin/sh", "-c", "\"$@\" &", "sh");

    private final List<String> command;
    private final String tag;

    private Syslog(List<String> command, String tag) {
        this.command = command;
        this.tag = tag;
    }

    /** Records sent through the postlog command line given, under tag. */
    static Syslog through(List<String> postlog, String tag) {
        return new Syslog(List.copyOf(postlog), tag);
    }

    /** One record of ours; level is "warning", "error" or "fatal". Failures to log are ignored. */
    void send(String level, String text) {
        send(tag, level, text);
    }

    /** One record under another tag (the life-cycle helper script's). */
    void send(String tag, String level, String text) {
        List<String> argv = new ArrayList<>(level.equals("fatal") ? DETACH : List.of());
        argv.addAll(command);
        argv.addAll(List.of("-t", Host.toOs(tag), "-p", level.equals("warning") ? "warn" : level, "--", Host.toOs(text)));
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            builder.start().waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (IOException e) {
            // the record is lost; the message itself is on stderr
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
