import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A helper command run in a process group of its own (a new session, through setsid(1), which
 * execs the command in place: the child's pid is the group's id), so that everything it starts
 * can be signalled and waited for as one. postfix set-permissions is such a command: postfix
 * runs postfix-script, which runs post-install; Process.destroy() would reach postfix alone,
 * and post-install would go on changing the tree after we had undone our work and exited.
 *
 * <p>Only for helpers that need no terminal: a new session has none, so a Ctrl-C typed there
 * does not reach the group; whoever holds our signals forwards them ({@link ForegroundChild}).
 * The commands of {@code -p} and {@code -x} stay in our own group, on our terminal.
 */
final class ProcessGroup {
    private static final String SETSID = "/usr/bin/setsid";
    private static final String KILL = "/bin/kill";
    private static final Path PROC = Path.of("/proc");
    /** Fields after "pid (comm)": state ppid pgrp ... */
    static final int STATE = 0;
    static final int PGRP = 2;
    private static final long POLL_MILLIS = 20;
    /** How long a group that was told to terminate may take before it is killed. */
    private static final long TERMINATION_GRACE_SECONDS = 10;

    private ProcessGroup() {
    }

    /** Whether this host can run a command in a group of its own. */
    static boolean available() {
        return Files.isExecutable(Path.of(SETSID)) && Files.isExecutable(Path.of(KILL));
    }

    /** The command line that runs {@code argv} as the leader of a new group. */
    static List<String> command(List<String> argv) {
        List<String> command = new ArrayList<>(List.of(SETSID));
        command.addAll(argv);
        return command;
    }

    /** kill -SIGNAL -- -GROUP; quietly, since the group may have ended meanwhile. */
    static void signal(long group, String signal) {
        try {
            new ProcessBuilder(KILL, "-s", signal, "--", "-" + group).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException e) {
            Msg.warn("kill -s " + signal + " -- -" + group + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until no live process is left in the group; with {@code terminated} (the group was
     * told to end), kills what is left after a grace period, then waits on.
     */
    static void awaitEmpty(long group, boolean terminated) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TERMINATION_GRACE_SECONDS);
        boolean killed = false;
        while (alive(group)) {
            if (terminated && !killed && System.nanoTime() > deadline) {
                signal(group, "KILL");
                killed = true;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Whether a process (not a zombie) of the group is left. */
    static boolean alive(long group) {
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path process : processes) {
                String[] fields = statFields(process.resolve("stat"));
                if (fields != null && !fields[STATE].equals("Z") && Long.parseLong(fields[PGRP]) == group) return true;
            }
        } catch (IOException | NumberFormatException e) {
            return false;  // no /proc: nothing to wait for that we could see
        }
        return false;
    }

    /** The fields of /proc/PID/stat after "pid (comm)", or null when it is gone or unreadable. */
    static String[] statFields(Path stat) {
        try {
            String text = Files.readString(stat, StandardCharsets.ISO_8859_1);
            // comm may hold spaces and parentheses: the fields start after the last ')'.
            return text.substring(text.lastIndexOf(')') + 1).trim().split(" ");
        } catch (IOException | IndexOutOfBoundsException e) {
            return null;
        }
    }
}
