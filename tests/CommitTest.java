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

    /**
     * Destroy's removals as the helper script's two shells in the queue directory show them: what
     * postfix says when it starts for a legacy instance (its compatibility notice) before each,
     * and, where the queue directory cannot be entered, postfix's complaint for each while the
     * queue and data directories stay.
     */
    @Test
    void destroyShowsWhatPostfixSaysBeforeEachRemovalShell() {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            String a = tree.secondary("postfix-a", "postfix-a", null, false, "compatibility_level = 2\n");
            tree.appendPrimary("multi_instance_directories = " + a + "\n");
            FixtureTree.Run run = tree.run("-i", "postfix-a", "-e", "destroy");
            assertEquals(0, run.status(), run::both);
            String shell = "postfix: Postfix is using backwards-compatible default settings\n"
                    + "postfix: See http://www.postfix.org/COMPATIBILITY_README.html for details\n"
                    + "postfix: To disable backwards compatibility use \"postconf compatibility_level=3.6\" and \"postfix reload\"\n"
                    + "postfix: fatal: chdir(" + tree.spool("postfix-a") + "): No such file or directory\n";
            assertEquals(shell + shell, run.err());
            assertFalse(Files.exists(Path.of(a)), "the config directory is removed all the same");

            String b = tree.secondary("postfix-b", "postfix-b", null, false, "compatibility_level = 3.6\n");
            TestFiles.write(Path.of(tree.spool("postfix-b")), "a file where the queue directory should be\n");
            tree.writePrimary("multi_instance_wrapper = ${command_directory}/postmulti -p --\nmulti_instance_enable = yes\n"
                    + "multi_instance_directories = " + b + "\n");
            FixtureTree.Run file = tree.run("-i", "postfix-b", "-e", "destroy");
            assertEquals(0, file.status(), file::both);
            String chdir = "postfix: fatal: chdir(" + tree.spool("postfix-b") + "): Not a directory\n";
            assertEquals(chdir + chdir, file.err());
        }
    }

    /** The dry run of a destroy says which rmdir would fail: a queue subdirectory that is not empty, or not a directory. */
    @Test
    void aDryRunDestroySaysWhichRemovalsWouldFail() throws IOException {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            String a = tree.secondary("postfix-a", "postfix-a", null, false, "");
            tree.appendPrimary("multi_instance_directories = " + a + "\n");
            Files.createDirectories(Path.of(tree.spool("postfix-a"), "active"));
            TestFiles.write(Path.of(tree.spool("postfix-a"), "deferred/A/4ABC"), "message\n");
            TestFiles.write(Path.of(tree.spool("postfix-a"), "hold"), "not a directory\n");
            Files.createDirectories(Path.of(tree.lib("postfix-a")));
            TestFiles.write(Path.of(a, "main.cf.orig"), "the admin's\n");
            FixtureTree.Run run = tree.run("-n", "-i", "postfix-a", "-e", "destroy");
            assertEquals(0, run.status(), run::both);
            String fails = " would fail: a warning would ask to verify and remove it by hand";
            StringBuilder removals = new StringBuilder();
            for (String name : InstanceDestroyer.QUEUE_SUBDIRECTORIES)
                removals.append("# rmdir ").append(tree.spool("postfix-a")).append('/').append(name)
                        .append(name.equals("active") ? "" : fails).append('\n');
            removals.append("# rmdir ").append(tree.lib("postfix-a")).append('\n')
                    .append("# rmdir ").append(tree.spool("postfix-a")).append(fails).append('\n')
                    .append("# rm ").append(a).append("/master.cf\n# rm ").append(a).append("/main.cf\n# rmdir ").append(a).append(fails).append('\n');
            assertTrue(run.out().endsWith("\n" + removals), run.out());
        }
    }

    /**
     * Destroy asks {@code postfix -c DIR status} whether the instance runs, in the helper script's
     * environment only: import_environment's variables, PATH with the command directory in front
     * (ROOT_PATH when PATH is empty), MAIL_CONFIG and the exported directories. Without a postfix
     * command the instance counts as stopped, with a warning.
     */
    @Test
    void destroyAsksPostfixStatusInTheHelpersEnvironment() throws IOException {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            String a = tree.secondary("postfix-a", "postfix-a", null, false, "");
            tree.appendPrimary("multi_instance_directories = " + a + "\n");
            Path postfix = tree.root.resolve("usr/sbin/postfix");
            TestFiles.write(postfix, "#!/bin/sh\nenv > '" + tree.root.resolve("status.env") + "'\nexit 1\n");
            Files.setPosixFilePermissions(postfix, PosixFilePermissions.fromString("rwxr-xr-x"));
            FixtureTree.Run run = tree.run(Map.of("PATH", "", "TZ", "UTC"), "-i", "postfix-a", "-e", "destroy");
            assertEquals(0, run.status(), run::both);
            Map<String, String> child = new java.util.TreeMap<>();
            for (String line : TestFiles.read(tree.root.resolve("status.env")).lines().toList())
                child.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            List.of("PWD", "SHLVL", "_", "OLDPWD").forEach(child::remove);
            assertEquals(tree.path("usr/sbin") + ":" + PostfixControl.ROOT_PATH, child.remove("PATH"));
            assertEquals(tree.primary.toString(), child.remove("MAIL_CONFIG"));
            assertEquals(a, child.remove("config_directory"));
            assertEquals(tree.spool("postfix-a"), child.remove("queue_directory"));
            assertEquals("UTC", child.remove("TZ"), "import_environment lets TZ through");
            assertEquals("C", child.remove("LANG"), "import_environment sets LANG=C");
            child.keySet().removeAll(List.of("data_directory", "command_directory", "daemon_directory", "meta_directory",
                    "shlib_directory", "MAIL_LOGTAG"));
            assertEquals(Map.of(), child, "nothing of our own environment");

            String b = tree.secondary("postfix-b", "postfix-b", null, false, "");
            tree.appendPrimary("multi_instance_directories = " + b + "\n");
            tree.withoutPostfix();
            FixtureTree.Run without = tree.run("-i", "postfix-b", "-e", "destroy");
            assertEquals(0, without.status(), without::both);
            assertTrue(without.err().contains("\npostmulti: warning: no " + tree.path("usr/sbin/postfix") + ": cannot check that "
                    + b + " is stopped\n"), without.err());
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
