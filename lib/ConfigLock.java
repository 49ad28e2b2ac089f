import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * The lock that serializes life-cycle actions on one multi-instance configuration: an exclusive
 * POSIX record lock (fcntl, what FileChannel.lock uses on Linux) on the file
 * {@code $config_directory/.postmulti.lock} of the primary instance, held from before the primary
 * main.cf and the instance list are read until the last change (and set-permissions) is done.
 *
 * <p>Why a lock file of its own and not main.cf: main.cf is replaced by rename, so a lock on it
 * would lock an inode that the holder's commit takes out of the directory; a waiter would then
 * hold a lock on a dead file (Postfix's edit_file protocol re-checks the inode after locking for
 * this reason). A separate file that is never replaced or removed needs no such dance. It is
 * created on first use (mode 0600) and left in place: removing lock files reopens the race.
 *
 * <p>Postfix itself is never blocked: postconf -e uses its own protocol (an exclusive flock on
 * {@code main.cf.tmp}), postfix and the daemons only read main.cf, and nothing of Postfix opens
 * our file. The flip side: an admin's concurrent {@code postconf -e} on the primary is not
 * serialized with us; {@link ChangePlan} detects that case (main.cf changed since we read it)
 * and backs out instead of overwriting the admin's edit.
 *
 * <p>A dry run takes a shared lock when the file exists and does not create it.
 */
final class ConfigLock implements AutoCloseable {
    static final String FILE_NAME = ".postmulti.lock";

    private final FileChannel channel;
    private final FileLock lock;
    private final String problem;

    private ConfigLock(FileChannel channel, FileLock lock, String problem) {
        this.channel = channel;
        this.lock = lock;
        this.problem = problem;
    }

    static String lockPath(String configDirectory) {
        return configDirectory + "/" + FILE_NAME;
    }

    /**
     * Waits for the exclusive lock. If the lock file cannot be opened (no permission to create it,
     * say) the result holds no lock and remembers why; an action that then tries to change
     * anything fails with that reason (see {@link #requireHeld()}), while one that turns out to
     * change nothing (an assign that assigns the same name) still succeeds as in the C program.
     */
    static ConfigLock exclusive(Host host, String configDirectory) {
        String name = lockPath(configDirectory);
        Path path = host.path(name);
        FileChannel channel;
        try {
            channel = FileChannel.open(path, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException | UnsupportedOperationException e) {
            return new ConfigLock(null, null, "open " + name + ": " + reason(e));
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                Msg.debug("waiting for the lock on " + name);
                lock = channel.lock();
            }
            return new ConfigLock(channel, lock, null);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new Fatal("lock " + name + ": " + Errno.text(e));
        }
    }

    /** For a dry run: a shared lock if the lock file exists and can be read, else no lock at all. */
    static ConfigLock shared(Host host, String configDirectory) {
        String name = lockPath(configDirectory);
        FileChannel channel;
        try {
            channel = FileChannel.open(host.path(name), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return new ConfigLock(null, null, "no lock file " + name);
        } catch (IOException e) {
            return new ConfigLock(null, null, "open " + name + ": " + Errno.text(e));
        }
        try {
            return new ConfigLock(channel, channel.lock(0, Long.MAX_VALUE, true), null);
        } catch (IOException e) {
            closeQuietly(channel);
            return new ConfigLock(null, null, "lock " + name + ": " + Errno.text(e));
        }
    }

    boolean held() {
        return lock != null;
    }

    /** Before the first change: the lock must be held. */
    void requireHeld() {
        if (lock == null) throw new Fatal(problem);
    }

    private static String reason(Exception e) {
        return e instanceof IOException io ? Errno.text(io) : String.valueOf(e.getMessage());
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing releases the lock; nothing else to do
        }
    }

    @Override
    public void close() {
        if (channel != null) closeQuietly(channel);
    }

    /** Whether the lock file exists (tests). */
    static boolean exists(Host host, String configDirectory) {
        return Files.exists(host.path(lockPath(configDirectory)));
    }
}
