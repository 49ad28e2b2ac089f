import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Host paths on this host and under --root: what a refused --root says, where links lead inside
 * the tree (a loop of links ends as the kernel's ELOOP would stop it), and what does not exist.
 * OfflineRootTest walks the tool through a tree; this looks at the lookups themselves.
 */
class HostTest {
    private Path root;

    @BeforeEach
    void tree() throws IOException {
        root = Files.createTempDirectory("host-test").toRealPath();
    }

    @AfterEach
    void remove() {
        TestFiles.deleteTree(root);
    }

    @Test
    void thisHost() throws IOException {
        Host host = Host.live();
        assertFalse(host.offline());
        assertNull(host.root());
        assertEquals(Path.of("/etc/../tmp"), host.path("/etc/../tmp"));
        assertEquals(Path.of("/tmp").toRealPath(), host.resolved("/etc/../tmp"));
        assertNull(host.resolved(root + "/nowhere"));
    }

    @Test
    void aTree() throws IOException {
        Host host = Host.under(root + "/.");
        assertTrue(host.offline());
        assertEquals(root.toString(), host.root());
        Files.createDirectories(root.resolve("srv/spool"));
        Files.createDirectories(root.resolve("var"));
        Files.createSymbolicLink(root.resolve("var/spool"), Path.of("/srv/spool"));
        assertEquals(root.resolve("srv/spool/postfix"), host.path("/var/spool/postfix"));
        assertEquals(root.resolve("var/spool"), host.path("/var/spool"));
        assertEquals(root.resolve("srv/spool"), host.resolved("/var/spool"));
        assertEquals(root.resolve("srv/spool"), host.resolved("/var/./spool/"));
        assertNull(host.resolved("/var/spool/postfix"));
    }

    @Test
    void aLoopOfLinksEnds() throws IOException {
        Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("a"));
        Host host = Host.under(root.toString());
        Path where = host.path("/a/x");
        assertTrue(where.startsWith(root), where.toString());
        assertEquals("x", where.getFileName().toString());
        assertNull(host.resolved("/a"));
    }

    /** Linux follows at most 40 links in one lookup: a chain of 40 still leads where it ends. */
    @Test
    void fortyLinksAreFollowed() throws IOException {
        Files.createDirectories(root.resolve("end"));
        Files.createSymbolicLink(root.resolve("l40"), Path.of("end"));
        for (int i = 39; i >= 1; i--) Files.createSymbolicLink(root.resolve("l" + i), Path.of("l" + (i + 1)));
        assertEquals(root.resolve("end/x"), Host.under(root.toString()).path("/l1/x"));
        assertEquals(root.resolve("end"), Path.of("/").resolve(root.resolve("l1")).toRealPath(), "as the kernel does");
    }

    @Test
    void aRefusedRoot() throws IOException {
        Path file = Files.writeString(root.resolve("file"), "");
        assertEquals("--root " + file + ": Not a directory", assertThrows(Fatal.class, () -> Host.under(file.toString())).getMessage());
        assertEquals("--root " + root + "/none: No such file or directory",
                assertThrows(Fatal.class, () -> Host.under(root + "/none")).getMessage());
    }

    @Test
    void byteStringsAndTheOsAgreeOnAscii() {
        assertEquals("/etc/postfix-a", Host.toOs("/etc/postfix-a"));
        assertEquals("/etc/postfix-a", Host.fromOs("/etc/postfix-a"));
    }
}
