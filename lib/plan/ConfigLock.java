import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lock that serializes life-cycle actions on one multi-instance configuration: an exclusive
 * POSIX record lock (fcntl, what FileChannel.lock uses on Linux) on a lock file of its own, held
 * from before the primary main.cf and the instance list are read (the second time, see
 * {@link Lifecycle}) until the last change (and set-permissions) is done.
 *
 * <p>The lock file lives outside the configuration: {@code /run/postmulti/DEV-INODE.lock} for
 * root, {@code /tmp/postmulti-UID/DEV-INODE.lock} for other users (and for root when /run
 * cannot have it), DEV and INODE being those of the primary's configuration directory as this
 * host sees it (so {@code -c}, {@code --root} and a symbolic link to the directory all meet on
 * one lock). Why not in the configuration directory, where it used to be: taking it would then
 * need write access there, so a read-only primary would block an edit of a secondary's main.cf
 * (which the C program does), and making and removing the file changed the directory's times,
 * even for an action that is then refused. Both directories are made mode 0700 and must belong
 * to the caller; a lock directory another user could write to is refused.
 *
 * <p>The file exists only while an action runs: the holder removes it before it lets go. A
 * waiter may thus end up holding a lock on a removed file; it checks, once it holds the lock,
 * that the file it locked is still the one at that name (same inode and change time as before it
 * opened it) and starts over if not. A file left by a killed run is harmless: locks die with
 * their process, and the next action takes it over and removes it.
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
    static final String RUN_DIRECTORY = "/run/postmulti";
    static final String FALLBACK_PREFIX = "/tmp/postmulti-";

    private final FileChannel channel;
    private final FileLock lock;
    private final String problem;
    private final Path removeOnClose;
    /** Removes the lock file when a signal ends the JVM while the lock is held (no close() then). */
    private final Thread removeOnExit;

    private ConfigLock(FileChannel channel, FileLock lock, String problem, Path removeOnClose) {
        this.channel = channel;
        this.lock = lock;
        this.problem = problem;
        this.removeOnClose = removeOnClose;
        this.removeOnExit = removeOnClose == null ? null : new Thread(this::removeFile);
        if (removeOnExit != null) Runtime.getRuntime().addShutdownHook(removeOnExit);
    }

    /** Thrown when there is no place for the lock file; the message says why. */
    private static final class NoPlace extends Exception {
        NoPlace(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The lock file of the configuration whose primary directory is {@code configDirectory}
     * (an OS path on this machine). Makes the lock directory when it is missing.
     */
    static Path lockFile(Host host, String configDirectory) throws NoPlace {
        Map<String, Object> key;
        try {
            key = Files.readAttributes(host.path(configDirectory), "unix:dev,ino");
        } catch (IOException e) {
            throw new NoPlace("open " + configDirectory + ": " + Errno.text(e));
        }
        return lockDirectory().resolve(key.get("dev") + "-" + key.get("ino") + ".lock");
    }

    private static Path lockDirectory() throws NoPlace {
        int uid = ourUid();
        if (uid == 0) {
            try {
                return privateDirectory(Path.of(RUN_DIRECTORY), uid);
            } catch (NoPlace notThere) {
                Msg.debug(notThere.getMessage() + "; using " + FALLBACK_PREFIX + uid);
            }
        }
        return privateDirectory(Path.of(FALLBACK_PREFIX + uid), uid);
    }

    /** A directory of ours (made 0700 if missing) that no one else can write to. */
    private static Path privateDirectory(Path directory, int uid) throws NoPlace {
        try {
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(AtomicFile.permissions(0700)));
        } catch (FileAlreadyExistsException e) {
            // made by an earlier action: checked below
        } catch (IOException e) {
            throw new NoPlace("lock directory " + directory + ": " + Errno.text(e));
        }
        try {
            Map<String, Object> attributes = Files.readAttributes(directory, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) attributes.get("mode");
            boolean directoryOfOurs = (mode & 0170000) == 0040000 && (Integer) attributes.get("uid") == uid;
            if (!directoryOfOurs || (mode & 0022) != 0)
                throw new NoPlace("lock directory " + directory + ": not a directory of uid " + uid + " that only it can write to");
            return directory;
        } catch (IOException e) {
            throw new NoPlace("lock directory " + directory + ": " + Errno.text(e));
        }
    }

    /** The effective uid: the owner of /proc/self. */
    private static int ourUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name")) ? 0 : -1;
        }
    }

    /**
     * Waits for the exclusive lock. If the lock file cannot be opened (no permission to create it,
     * say) the result holds no lock and remembers why; an action that then tries to change
     * anything fails with that reason (see {@link #requireHeld()}), while one that turns out to
     * change nothing (an assign that assigns the same name) still succeeds as in the C program.
     */
    static ConfigLock exclusive(Host host, String configDirectory) {
        Path path;
        try {
            path = lockFile(host, configDirectory);
        } catch (NoPlace noPlace) {
            return new ConfigLock(null, null, noPlace.getMessage(), null);
        }
        String name = path.toString();
        while (true) {
            Object before;
            FileChannel channel;
            try {
                before = ensureExists(path);
            } catch (IOException | UnsupportedOperationException e) {
                return new ConfigLock(null, null, "open " + name + ": " + reason(e), null);
            }
            try {
                channel = FileChannel.open(path, Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
            } catch (NoSuchFileException e) {
                continue;  // removed by its holder since we made sure of it: start over
            } catch (IOException e) {
                return new ConfigLock(null, null, "open " + name + ": " + reason(e), null);
            }
            try {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    Msg.debug("waiting for the lock on " + name);
                    lock = channel.lock();
                }
                if (before.equals(identity(path))) return new ConfigLock(channel, lock, null, path);
                closeQuietly(channel);  // we hold a file its holder has removed: start over
            } catch (IOException e) {
                closeQuietly(channel);
                throw new Fatal("lock " + name + ": " + Errno.text(e));
            }
        }
    }

    /** Creates the lock file (mode 0600) unless it is there; returns the identity of the file now there. */
    private static Object ensureExists(Path path) throws IOException {
        try {
            Files.newByteChannel(path, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))).close();
        } catch (FileAlreadyExistsException e) {
            // another action's, or one a killed run left: take it over
        }
        Object identity = identity(path);
        return identity != null ? identity : ensureExists(path);
    }

    /** Inode and change time of the file at path, or null when there is none. */
    private static Object identity(Path path) {
        try {
            Map<String, Object> attributes = Files.readAttributes(path, "unix:dev,ino,ctime", LinkOption.NOFOLLOW_LINKS);
            return List.of(attributes.get("dev"), attributes.get("ino"), attributes.get("ctime"));
        } catch (IOException e) {
            return null;
        }
    }

    /** For a dry run: a shared lock if the lock file exists and can be read, else no lock at all. */
    static ConfigLock shared(Host host, String configDirectory) {
        String name;
        FileChannel channel;
        try {
            name = lockFile(host, configDirectory).toString();
        } catch (NoPlace noPlace) {
            return new ConfigLock(null, null, noPlace.getMessage(), null);
        }
        try {
            channel = FileChannel.open(Path.of(name), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return new ConfigLock(null, null, "no lock file " + name, null);
        } catch (IOException e) {
            return new ConfigLock(null, null, "open " + name + ": " + Errno.text(e), null);
        }
        try {
            return new ConfigLock(channel, channel.lock(0, Long.MAX_VALUE, true), null, null);
        } catch (IOException e) {
            closeQuietly(channel);
            return new ConfigLock(null, null, "lock " + name + ": " + Errno.text(e), null);
        }
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

    /** Removes the lock file while it is still held (see the class comment), then lets go. */
    @Override
    public void close() {
        if (removeOnExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(removeOnExit);
            } catch (IllegalStateException shuttingDown) {
                return;  // the hook removes the file; the lock goes with the process
            }
            removeFile();
        }
        if (channel != null) closeQuietly(channel);
    }

    private void removeFile() {
        try {
            Files.deleteIfExists(removeOnClose);
        } catch (IOException e) {
            Msg.warn("remove " + Host.fromOs(removeOnClose.toString()) + ": " + Errno.text(e));
        }
    }

    /** The lock file's path (tests). */
    static Path path(Host host, String configDirectory) {
        try {
            return lockFile(host, configDirectory);
        } catch (NoPlace noPlace) {
            throw new Fatal(noPlace.getMessage());
        }
    }

    /** Whether the lock file exists (tests). */
    static boolean exists(Host host, String configDirectory) {
        return Files.exists(path(host, configDirectory));
    }
}
