import java.nio.file.Path;

/**
 * Whether our process group is the foreground group of our controlling terminal: then a Ctrl-C
 * typed there is sent to us and to every child we run (they stay in our group) at the same
 * moment. Read from /proc/self/stat (pgrp and tpgid); where there is no such file (not Linux)
 * or no terminal, the answer is no.
 */
final class TerminalForeground {
    private static final Path STAT = Path.of("/proc/self/stat");
    /** Fields after "pid (comm)": state ppid pgrp session tty_nr tpgid ... */
    private static final int TPGID = 5;

    private TerminalForeground() {
    }

    static boolean ours() {
        return of(STAT);
    }

    /** The same question for the process whose /proc/PID/stat this is. */
    static boolean of(Path stat) {
        String[] fields = ProcessGroup.statFields(stat);
        if (fields == null) return false;
        try {
            long tpgid = Long.parseLong(fields[TPGID]);
            return tpgid > 0 && tpgid == Long.parseLong(fields[ProcessGroup.PGRP]);
        } catch (NumberFormatException | IndexOutOfBoundsException unreadable) {
            return false;
        }
    }
}
