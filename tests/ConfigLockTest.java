import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The configuration lock in this JVM (LifecycleConcurrencyTest races real runs in child JVMs):
 * where its file lives, that the file exists only while an action holds it, and what a dry
 * run's shared lock does without one.
 */
class ConfigLockTest {
    private Path configDirectory;
    private final Host host = Host.live();

    @BeforeEach
    void directory() throws IOException {
        configDirectory = Files.createTempDirectory("lock-test").toRealPath();
    }

    @AfterEach
    void remove() {
        TestFiles.deleteTree(configDirectory);
    }

    /** For root, /run/postmulti/DEV-INODE.lock, DEV and INODE those of the configuration directory. */
    @Test
    void theLockFileIsNamedAfterTheDirectoryUnderRun() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "the /run place is root's");
        Object dev = Files.getAttribute(configDirectory, "unix:dev");
        Object ino = Files.getAttribute(configDirectory, "unix:ino");
        assertEquals(Path.of(ConfigLock.RUN_DIRECTORY, dev + "-" + ino + ".lock"), ConfigLock.path(host, configDirectory.toString()));
    }

    @Test
    void theLockFileExistsOnlyWhileTheLockIsHeld() throws IOException {
        String directory = configDirectory.toString();
        assertFalse(ConfigLock.exists(host, directory));
        try (ConfigLock lock = ConfigLock.exclusive(host, directory)) {
            lock.requireHeld();
            assertTrue(ConfigLock.exists(host, directory));
            Path file = ConfigLock.path(host, directory);
            assertEquals(0600, (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
        }
        assertFalse(ConfigLock.exists(host, directory), "removed before it is let go");
    }

    /** A dry run takes no lock where there is no lock file, makes none, and may not change anything. */
    @Test
    void aSharedLockWithoutALockFileHoldsNothing() {
        String directory = configDirectory.toString();
        try (ConfigLock lock = ConfigLock.shared(host, directory)) {
            Fatal refused = assertThrows(Fatal.class, lock::requireHeld);
            assertEquals("no lock file " + ConfigLock.path(host, directory), refused.getMessage());
        }
        assertFalse(ConfigLock.exists(host, directory));
    }

    /** A lock file a killed run left is no obstacle: the shared lock is taken on it, and it stays (not the dry run's to remove). */
    @Test
    void aSharedLockOnALeftoverLockFileIsHeldAndLeavesIt() throws IOException {
        String directory = configDirectory.toString();
        Path file = ConfigLock.path(host, directory);
        Files.createFile(file);
        try {
            try (ConfigLock lock = ConfigLock.shared(host, directory)) {
                lock.requireHeld();
            }
            assertTrue(Files.exists(file));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aConfigurationDirectoryThatIsNotThereHasNoLock() {
        String missing = configDirectory + "/missing";
        try (ConfigLock lock = ConfigLock.exclusive(host, missing)) {
            Fatal refused = assertThrows(Fatal.class, lock::requireHeld);
            assertEquals("open " + missing + ": No such file or directory", refused.getMessage());
        }
    }
}
