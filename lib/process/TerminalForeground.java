import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
    private static final int PGRP = 2;
    private static final int TPGID = 5;

    private TerminalForeground() {
    }

    static boolean ours() {
        try {
            String stat = Files.readString(STAT, StandardCharsets.ISO_8859_1);
            // comm may hold spaces and parentheses: the fields start after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 1).trim().split(" ");
            long tpgid = Long.parseLong(fields[TPGID]);
            return tpgid > 0 && tpgid == Long.parseLong(fields[PGRP]);
        } catch (IOException | NumberFormatException | IndexOutOfBoundsException unreadable) {
            return false;
        }
    }
}
