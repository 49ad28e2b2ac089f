import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one child command the way the C program's fork and execvp(3) do, and returns its status:
 * the exit status, or 1 when the child was killed by a signal ({@code WIFEXITED ? WEXITSTATUS : 1}).
 * The child shares our stdin, stdout, stderr, process group and so our terminal; nothing is piped.
 * What happens to signals meanwhile is {@link ForegroundChild}'s business.
 * A command that cannot be executed is reported as the C child reports it,
 * {@code postmulti: fatal: execvp CMD: No such file or directory}, with status 1.
 *
 * <p>Why ProcessBuilder alone and not commons-exec (tried with commons-exec 1.5.0):
 * commons-exec can inherit the streams (a DefaultExecutor subclass whose launch() uses
 * Redirect.INHERIT, plus a stream handler that pumps nothing), but only by bypassing or
 * switching off everything it does. Its CommandLine, the one way to hand it a command, trims
 * every argument (" a " arrives as "a", "  " as "") and rewrites '\' in the executable name
 * to '/', so launch() would have to ignore the CommandLine it is given and take the real argv
 * from elsewhere. Overriding launch() needs the deprecated no-argument DefaultExecutor
 * constructor (the Builder builds a plain DefaultExecutor through a package-private one). Its
 * exit-value check has to be disabled, there is nothing to pump, no watchdog is wanted, and its
 * ProcessDestroyer kills the child at JVM exit without waiting for it. What would remain of it
 * is Process.waitFor().
 *
 * <p>What the JDK already does like execvp: a file without a {@code #!} line (ENOEXEC) is run
 * through /bin/sh by the JDK's own process launcher (verified on Java 17, all launch
 * mechanisms), so there is no fallback here. What it cannot do: set argv[0] apart from the
 * file to execute; the child sees the path we resolved ("/usr/bin/sh", not "sh"). And it
 * searches the JVM's PATH, not the child's, for a word without '/', which is why we resolve
 * the word ourselves and always hand the JDK a path containing '/'. Nor does Java 17 clear the
 * signal mask: the child starts with SIGQUIT blocked, as HotSpot's threads have it
 * (JDK-8234262, fixed in JDK 20), so Ctrl-\ does not quit it; no portable tool unblocks it.
 * The JDK also closes descriptors above 2 in the child, where execvp keeps those without
 * close-on-exec.
 */
final class Launcher {
    private static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

    /**
     * Starts children with vfork(2) and exec, as the C program's fork and execvp do, instead of
     * Java 17's default posix_spawn of a helper program that then execs the command: one exec per
     * child instead of two, which is most of the cost of {@code -x} on many instances (500
     * instances: 2.7 s down to 1.6 s). Must run before the first process is started; only up to
     * Java 21, since later JDKs deprecate VFORK. An explicit -D setting wins.
     */
    static void preferVfork() {
        if (Runtime.version().feature() <= 21 && System.getProperty(LAUNCH_MECHANISM) == null)
            System.setProperty(LAUNCH_MECHANISM, "VFORK");
    }

    /** execvp's search path when PATH is unset (glibc's confstr(_CS_PATH)). */
    private static final String DEFAULT_PATH = "/bin:/usr/bin";
    private static final String NO_SUCH_FILE = "No such file or directory";
    /** errno values execvp skips past while searching; the same numbers on Linux and the BSDs. */
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int ENODEV = 19;
    private static final int ENOTDIR = 20;
    /** Java reports death by signal N as exit value 128+N; SIGRTMAX is 64 on Linux. */
    private static final int SIGNAL_BASE = 128;
    private static final int LAST_SIGNAL = 64;

    private Launcher() {
    }

    /** {@code environment} is the child's whole environment; its PATH is the one searched. */
    static int run(List<String> argv, Map<String, String> environment) {
        flushOurOutput();
        try (ForegroundChild foreground = ForegroundChild.expect()) {
            foreground.watch(start(argv, environment));
            return status(foreground.waitFor());
        } catch (ExecFailure failure) {
            Msg.fatalLine("execvp " + argv.get(0) + ": " + failure.getMessage());
            return 1;
        }
    }

    /**
     * {@link #run}, for a helper that needs no terminal, in a process group of its own
     * ({@link ProcessGroup}): signals we get are forwarded to the whole group, and we return
     * only when nothing of the group is left. Where setsid(1) is missing, {@link #run}.
     */
    static int runAsGroup(List<String> argv, Map<String, String> environment) {
        if (!ProcessGroup.available()) return run(argv, environment);
        flushOurOutput();
        try (ForegroundChild group = ForegroundChild.expectGroup()) {
            group.watch(start(ProcessGroup.command(argv), environment));
            return status(group.waitFor());
        } catch (ExecFailure failure) {
            Msg.fatalLine("execvp " + argv.get(0) + ": " + failure.getMessage());
            return 1;
        }
    }

    /**
     * Java cannot tell "killed by signal N" from "exit(128+N)"; a child exiting 129..192 on its
     * own is taken as killed. Either way it is a failure, which is all postmulti asks.
     */
    private static int status(int exitValue) {
        boolean killed = exitValue > SIGNAL_BASE && exitValue <= SIGNAL_BASE + LAST_SIGNAL;
        return killed ? 1 : exitValue;
    }

    /** What we have written so far must come out before anything the child writes. */
    private static void flushOurOutput() {
        System.out.flush();
        System.err.flush();
    }

    /**
     * execvp's order: a word with '/' is the file; otherwise each PATH element in turn, going
     * on past files that are missing or cannot be executed, and reporting EACCES if any
     * candidate existed but was refused. Each candidate that exists is really exec'ed, so what
     * "cannot be executed" means (a directory, no x bit, a noexec mount, a missing #!
     * interpreter) is the kernel's decision, as it is for execvp, not a guess from file
     * attributes. Only a candidate that is not there at all is skipped without trying.
     */
    private static Process start(List<String> argv, Map<String, String> environment) throws ExecFailure {
        String word = argv.get(0);
        if (word.isEmpty()) throw new ExecFailure(ENOENT, NO_SUCH_FILE);
        if (word.contains("/")) return startFile(word, argv, environment);
        ExecFailure last = new ExecFailure(ENOENT, NO_SUCH_FILE);
        ExecFailure refusal = null;
        for (String directory : searchPath(environment)) {
            String file = candidate(directory, word);
            try {
                ensureExists(file);
                return startFile(file, argv, environment);
            } catch (ExecFailure failure) {
                if (!failure.searchGoesOn()) throw failure;
                if (failure.errno == EACCES) refusal = failure;
                last = failure;
            }
        }
        throw refusal != null ? refusal : last;
    }

    private static List<String> searchPath(Map<String, String> environment) {
        String path = environment.getOrDefault("PATH", DEFAULT_PATH);
        return List.of(path.split(":", -1));
    }

    /**
     * An empty element is the current directory; "./" keeps the JDK from searching its own PATH.
     * A relative element stays relative, as execvp hands it to execve.
     */
    private static String candidate(String directory, String word) {
        return (directory.isEmpty() ? "." : directory) + "/" + word;
    }

    /**
     * Spares a process start for each PATH directory that lacks the command (most of them, for
     * a command in /usr/bin): the JDK forks a launcher helper per attempt, execve only fails.
     * The lookup follows symbolic links, as execve does, so a dangling link is missing too.
     * Any other answer is left to execve itself: no search permission, a loop, and ENOTDIR (a
     * PATH element that is a file), which NIO reports only as a FileSystemException with
     * strerror's text; and a NUL byte in the word, which the JDK then refuses.
     */
    private static void ensureExists(String file) throws ExecFailure {
        try {
            Files.readAttributes(Path.of(file), BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new ExecFailure(ENOENT, NO_SUCH_FILE);
        } catch (IOException | InvalidPathException e) {
            // execve will say what is wrong with it
        }
    }

    private static Process startFile(String file, List<String> argv, Map<String, String> environment)
            throws ExecFailure {
        List<String> command = new ArrayList<>(argv);
        command.set(0, file);
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(Redirect.INHERIT)
                .redirectOutput(Redirect.INHERIT).redirectError(Redirect.INHERIT);
        builder.environment().clear();
        builder.environment().putAll(environment);
        try {
            return builder.start();
        } catch (IOException e) {
            throw ExecFailure.of(e);
        }
    }

    /** Why execve refused a file: errno, and its text as the message. */
    private static final class ExecFailure extends Exception {
        private static final int UNKNOWN_ERRNO = -1;
        final int errno;

        ExecFailure(int errno, String text) {
            super(text, null, false, false);
            this.errno = errno;
        }

        /** A message without errno (a NUL byte in an argument, say) stops the search. */
        static ExecFailure of(IOException e) {
            String message = String.valueOf(e.getMessage());
            // How the JDK words a failed exec: "... error=13, Permission denied". Compiled here,
            // not at class set-up: a start then compiles no regular expression (docs/PERFORMANCE.md).
            Matcher m = Pattern.compile("error=(\\d+), (.*)$").matcher(message);
            return m.find() ? new ExecFailure(Integer.parseInt(m.group(1)), m.group(2))
                    : new ExecFailure(UNKNOWN_ERRNO, message);
        }

        /** A bad "#!" interpreter also shows as ENOENT, and execvp searches on past it too. */
        boolean searchGoesOn() {
            return errno == ENOENT || errno == EACCES || errno == ENODEV || errno == ENOTDIR;
        }
    }
}
