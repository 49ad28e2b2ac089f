import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's table of file locks, /proc/locks: which process holds a lock on which file
 * (device and inode). Readable by every user, it tells whether a Postfix master holds its lock
 * without opening the lock file, which is mode 0600 and often in a directory only the mail
 * system can enter. It is also the only way a JVM sees such a lock at all: the master takes it
 * with flock(2), and FileChannel.tryLock takes fcntl(2) record locks, which on Linux are
 * independent of flock locks, so tryLock would succeed while the master runs (and, on the
 * read/write open it needs, would also need a permission monitoring should not have).
 */
final class ProcLocks {
    static final Path TABLE = Path.of("/proc/locks");

    /** A file as the lock table names it: device major and minor numbers, inode. */
    record FileKey(long major, long minor, long inode) {
        /** The key of a file on this host, from stat(2) without following a final symbolic link. */
        static FileKey of(Path file) throws IOException {
            long device = ((Number) Files.getAttribute(file, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
            long inode = ((Number) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
            return new FileKey(major(device), minor(device), inode);
        }

        /** glibc's gnu_dev_major over a 64-bit st_dev. */
        private static long major(long device) {
            return ((device >>> 8) & 0xfff) | ((device >>> 32) & ~0xfffL);
        }

        private static long minor(long device) {
            return (device & 0xff) | ((device >>> 12) & ~0xffL);
        }
    }

    /** Lock holders by file; the pid is 0 or -1 when the table cannot name one (an OFD lock, another pid namespace). */
    private final Map<FileKey, Long> holders;

    private ProcLocks(Map<FileKey, Long> holders) {
        this.holders = holders;
    }

    static ProcLocks read() throws IOException {
        return parse(Files.readAllLines(TABLE));
    }

    /**
     * Lines such as {@code 1: FLOCK  ADVISORY  WRITE 16080 fe:00:2147452 0 EOF}; a waiter's line
     * ({@code 1: -> FLOCK ...}) is left out, since it holds nothing.
     */
    static ProcLocks parse(List<String> lines) {
        Map<FileKey, Long> holders = new HashMap<>();
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 6 || fields[1].equals("->")) continue;
            String[] file = fields[5].split(":");
            if (file.length != 3) continue;
            try {
                FileKey key = new FileKey(Long.parseLong(file[0], 16), Long.parseLong(file[1], 16), Long.parseLong(file[2]));
                holders.putIfAbsent(key, Long.parseLong(fields[4]));
            } catch (NumberFormatException unexpected) {
                // a line of a format we do not know names no lock we could recognise
            }
        }
        return new ProcLocks(holders);
    }

    /** The process that holds a lock on this file, or null when none is held. */
    Long holder(FileKey file) {
        return holders.get(file);
    }
}
