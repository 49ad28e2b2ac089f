import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether an instance's master process runs, decided as {@code postfix status} decides it, and
 * without touching the master: the master holds a lock on {@code $data_directory/master.lock}
 * and on {@code $queue_directory/pid/master.pid} (which {@code master -t}, run by
 * {@code postfix status}, tests) for as long as it runs. A lock held on either means running,
 * and the holder is the master's pid; lock files that exist unlocked (a stale master.pid) or do
 * not exist (never started) mean stopped. Unknown only when neither file can be looked at.
 */
final class MasterProbe {
    /** running and pid are null when unknown (pid also when stopped); problem says why running is unknown. */
    record State(Boolean running, Long pid, String problem) {
        static final State STOPPED = new State(false, null, null);
    }

    private MasterProbe() {
    }

    static State probe(Path masterLock, Path masterPid, ProcLocks locks) {
        boolean examined = false;
        String problem = null;
        for (Path file : List.of(masterLock, masterPid)) {
            ProcLocks.FileKey key;
            try {
                key = ProcLocks.FileKey.of(file);
            } catch (NoSuchFileException absent) {
                examined = true;
                continue;
            } catch (IOException unreadable) {
                if (problem == null) problem = "stat " + Host.fromOs(file.toString()) + ": " + Errno.text(unreadable);
                continue;
            }
            examined = true;
            Long holder = locks.holder(key);
            if (holder != null) return new State(true, holder > 0 ? holder : pidFileValue(masterPid), null);
        }
        return examined ? State.STOPPED : new State(null, null, problem);
    }

    /** The pid master.pid holds (right-aligned digits and a newline), or null. */
    private static Long pidFileValue(Path masterPid) {
        try {
            return Long.valueOf(Files.readString(masterPid).trim());
        } catch (IOException | NumberFormatException unknown) {
            return null;
        }
    }
}
