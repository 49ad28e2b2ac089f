import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How a life-cycle action's plan is carried out (ChangePlan), in this JVM so that
 * bench/mutation.sh sees it: what is refused before anything is written, what an undo puts
 * back, the leftovers of a killed run. FaultsE2eTest checks the same kinds of failure in a
 * sandbox (read-only mounts, signals); these use what a test can do in place.
 */
class CommitTest {
    /**
     * A primary directory that may not be written (chattr +i: access(2) refuses even root) stops
     * a create before its first step: nothing is made and undone, and the message is the write's.
     */
    @Test
    void aPrimaryThatCannotBeWrittenStopsACreateBeforeAnythingIsMade() throws Exception {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            Map<String, String> before = tree.snapshot();
            assumeTrue(chattr("+i", tree.primary), "chattr +i is not supported here (e2fsprogs, ext4 /tmp)");
            FixtureTree.Run run;
            try {
                run = tree.run("-I", "postfix-a", "-e", "create");
            } finally {
                chattr("-i", tree.primary);
            }
            assertEquals(1, run.status(), run::both);
            assertEquals("postmulti: fatal: write " + tree.primary + "/main.cf: Permission denied\n", run.err());
            assertEquals(before, tree.snapshot());
        }
    }

    /**
     * A create into a config directory that holds a main.cf but no master.cf installs both; when
     * set-permissions then fails, the main.cf it replaced comes back with its content, mode and owner.
     */
    @Test
    void anUndoneCreatePutsBackTheMainCfItReplaced() {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            Path mainCf = tree.root.resolve("etc/postfix-a/main.cf");
            TestFiles.write(mainCf, "# the admin's own\n");
            setOwnerAndMode(mainCf, 1234, 0640);
            tree.setPermissionsStatus(3);
            Map<String, String> before = tree.snapshot();
            FixtureTree.Run run = tree.run("-I", "postfix-a", "-e", "create");
            assertEquals(1, run.status(), run::both);
            assertEquals("postmulti: fatal: '" + tree.path("usr/sbin/postfix") + " -c " + tree.etc("postfix-a")
                    + " set-permissions' failed (exit status 3); the changes were undone\n", run.err());
            Map<String, String> after = tree.snapshot();
            after.remove("postfix.log");
            assertEquals(before, after);
        }
    }

    /** mkdir -p's refusals, found while planning: the directory itself a file, or a file on the way. */
    @Test
    void aDirectoryThatCannotBeMadeIsRefusedInMkdirsWords() {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            TestFiles.write(tree.root.resolve("var/spool/file"), "not a directory\n");
            Map<String, String> before = tree.snapshot();
            FixtureTree.Run itself = tree.run("-I", "postfix-a", "-e", "create", "queue_directory=" + tree.spool("file"));
            assertEquals(1, itself.status(), itself::both);
            assertEquals("mkdir: cannot create directory '" + tree.spool("file") + "': File exists\n", itself.err());
            FixtureTree.Run onTheWay = tree.run("-I", "postfix-a", "-e", "create", "queue_directory=" + tree.spool("file/a"));
            assertEquals(1, onTheWay.status(), onTheWay::both);
            assertEquals("mkdir: cannot create directory '" + tree.spool("file") + "': Not a directory\n", onTheWay.err());
            assertEquals(before, tree.snapshot());
        }
    }

    /** The staging directory a killed create left in an instance's config directory goes when it is empty, else stays. */
    @Test
    void anEmptyStagingDirectoryLeftByAKilledRunIsRemoved() throws IOException {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            String a = tree.secondary("postfix-a", "postfix-a", null, false, "");
            String b = tree.secondary("postfix-b", "postfix-b", null, false, "");
            Files.createDirectory(Path.of(a, ".tmp"));
            TestFiles.write(Path.of(b, ".tmp/main.cf"), "half made\n");
            for (String directory : List.of(a, b)) {
                FixtureTree.Run run = tree.run("-e", "import", "config_directory=" + directory);
                assertEquals(0, run.status(), run::both);
            }
            assertFalse(Files.exists(Path.of(a, ".tmp")), "the empty one is gone");
            assertTrue(Files.exists(Path.of(b, ".tmp/main.cf")), "one with something in it is not ours to judge");
        }
    }

    private static boolean chattr(String flag, Path path) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/chattr"))) return false;
        Process chattr = new ProcessBuilder("/usr/bin/chattr", flag, path.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return chattr.waitFor() == 0 && (flag.equals("-i") || !Files.isWritable(path));
    }

    private static void setOwnerAndMode(Path file, int owner, int mode) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
            if ("root".equals(System.getProperty("user.name"))) Files.setAttribute(file, "unix:uid", owner);
            Files.setAttribute(file, "unix:mode", mode);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
