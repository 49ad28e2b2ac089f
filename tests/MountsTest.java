import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Which mount a path is on, from mountinfo lines in the kernel's format: the longest mount point
 * over the path, the later of two equal ones (a bind mount remounted read-only sits on top of
 * the read-write one), and mount points with escaped blanks. Plus this host's own table.
 */
class MountsTest {
    private static final String TABLE = String.join("\n",
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
            "30 22 8:1 /srv /srv/data ro,relatime shared:1 - ext4 /dev/sda1 rw",
            "31 30 8:1 /srv/data/rw /srv/data/rw rw,relatime - ext4 /dev/sda1 rw",
            "32 22 8:1 /etc/postfix /etc/postfix rw,relatime - ext4 /dev/sda1 rw",
            "33 32 8:1 /etc/postfix /etc/postfix ro,relatime - ext4 /dev/sda1 rw",
            "34 22 0:40 / /mnt/with\\040space ro - tmpfs tmpfs ro",
            "35 22 0:41 / /mnt/back\\134slash ro - tmpfs tmpfs ro",
            "36 22 0:42 / /mnt/odd\\04 ro - tmpfs tmpfs ro",
            "short line",
            "40 22 0:1 / /srv/data",
            "");

    @Test
    void theLongestMountPointOverThePathWins() {
        assertFalse(Mounts.readOnly("/", TABLE));
        assertFalse(Mounts.readOnly("/srv", TABLE));
        assertTrue(Mounts.readOnly("/srv/data", TABLE));
        assertTrue(Mounts.readOnly("/srv/data/x", TABLE));
        assertFalse(Mounts.readOnly("/srv/data/rw/x", TABLE));
        assertFalse(Mounts.readOnly("/srv/database", TABLE), "a name that only starts like a mount point");
    }

    @Test
    void theLaterOfTwoEqualMountPointsIsOnTop() {
        assertTrue(Mounts.readOnly("/etc/postfix/main.cf", TABLE));
        assertFalse(Mounts.readOnly("/etc/postfix/main.cf", TABLE.replace("33 32 8:1 /etc/postfix /etc/postfix ro,", "33 32 8:1 /etc/postfix /etc/postfix rw,")));
    }

    @Test
    void escapedMountPoints() {
        assertTrue(Mounts.readOnly("/mnt/with space/x", TABLE));
        assertFalse(Mounts.readOnly("/mnt/with\\040space/x", TABLE));
        assertTrue(Mounts.readOnly("/mnt/back\\slash", TABLE));
        assertTrue(Mounts.readOnly("/mnt/odd\\04", TABLE), "not three octal digits: taken as it is");
    }

    @Test
    void onlyTheFirstOptionSaysReadOnly() {
        assertFalse(Mounts.readOnly("/x", "22 1 8:1 / / rw,ro - ext4 /dev/sda1 ro"));
        assertFalse(Mounts.readOnly("/x", "22 1 8:1 / / rootcontext - ext4 /dev/sda1 ro"));
        assertTrue(Mounts.readOnly("/x", "22 1 8:1 / / ro - ext4 /dev/sda1 rw"));
        assertFalse(Mounts.readOnly("/x", ""));
    }

    @Test
    void thisHostsTable() throws IOException {
        String table = Files.readString(Path.of("/proc/self/mountinfo"), StandardCharsets.ISO_8859_1);
        Path tmp = Files.createTempDirectory("mounts");
        try {
            assertEquals(Mounts.readOnly(tmp.toRealPath().toString(), table), Mounts.readOnly(tmp));
            assertFalse(Mounts.readOnly(tmp.resolve("none")), "a path that cannot be resolved");
            assertFalse(Mounts.readOnly(tmp), "a temporary directory we just wrote");
        } finally {
            TestFiles.deleteTree(tmp);
        }
    }
}
