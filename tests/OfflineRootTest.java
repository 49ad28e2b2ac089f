import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --root DIR}: the README walkthrough's configuration built entirely inside a temporary
 * tree, as for a container image, with the target host's paths in every file written. The tree
 * holds no Postfix programs but a fake postfix and postlog that would leave a mark if run.
 */
class OfflineRootTest {
    private static final String PRIMARY_MAIN_CF = "# primary of an image\n"
            + "queue_directory = /var/spool/postfix\n"
            + "data_directory = /var/lib/postfix\n"
            + "command_directory = /usr/sbin\n"
            + "daemon_directory = /usr/lib/postfix/sbin\n"
            + "meta_directory = /etc/postfix\n"
            + "shlib_directory = /usr/lib/postfix\n"
            + "inet_interfaces = all\n";
    private Path root;
    private FixtureTree cleanup;

    @BeforeEach
    void image() throws IOException {
        cleanup = FixtureTree.create("");
        root = cleanup.root.resolve("image");
        TestFiles.write(root.resolve("etc/postfix/main.cf"), PRIMARY_MAIN_CF);
        TestFiles.write(root.resolve("etc/postfix/master.cf"), "# master.cf of the image\n");
        for (String proto : List.of("main.cf.proto", "master.cf.proto"))
            Files.copy(cleanup.meta().resolve(proto), root.resolve("etc/postfix/" + proto));
        Files.createDirectories(root.resolve("var/spool/postfix"));
        Files.createDirectories(root.resolve("var/lib/postfix"));
        for (String program : List.of("postfix", "postlog")) {
            Path fake = root.resolve("usr/sbin/" + program);
            TestFiles.write(fake, "#!/bin/sh\ntouch '" + root.resolve("ran-" + program) + "'\n");
            Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @AfterEach
    void remove() {
        cleanup.close();
    }

    private FixtureTree.Run ours(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--root";
        all[1] = root.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return InProcess.run(all);
    }

    private void ok(String... args) {
        FixtureTree.Run run = ours(args);
        assertEquals(0, run.status(), String.join(" ", args) + ": " + run.both());
    }

    private String read(String hostPath) {
        return TestFiles.read(root.resolve(hostPath.substring(1)));
    }

    private static String line(String name, String group, String enabled, String dir) {
        return String.format("%-15s %-15s %-9s %s\n", name, group, enabled, dir);
    }

    @Test
    void walkthroughInsideTheTreeWithTargetPaths() throws IOException {
        ok("-e", "init");
        FixtureTree.Run created = ours("-I", "postfix-out", "-G", "mta", "-e", "create");
        assertEquals(0, created.status(), created.both());
        assertEquals("postmulti: --root: skipped '/usr/sbin/postfix -c /etc/postfix-out set-permissions';"
                + " run it on the target host before starting the instance\n", created.err());
        ok("-I", "postfix-in", "-G", "mta", "-e", "create");
        ok("-i", "postfix-out", "-e", "enable");
        ok("-i", "postfix-in", "-e", "enable");
        ok("-i", "postfix-in", "-e", "disable");
        ok("-i", "postfix-in", "-I", "postfix-inbound", "-G", "border", "-e", "assign");
        assertEquals(line("-", "-", "y", "/etc/postfix") + line("postfix-out", "mta", "y", "/etc/postfix-out")
                + line("postfix-inbound", "border", "n", "/etc/postfix-in"), ours("-l").out());

        String primary = read("/etc/postfix/main.cf");
        assertTrue(primary.startsWith(PRIMARY_MAIN_CF), primary);
        assertEquals("${command_directory}/postmulti -p --", FixtureTree.setting(primary, "multi_instance_wrapper"));
        assertEquals("/etc/postfix-out /etc/postfix-in", FixtureTree.setting(primary, "multi_instance_directories"));
        String out = read("/etc/postfix-out/main.cf");
        assertEquals("/var/spool/postfix-out", FixtureTree.setting(out, "queue_directory"));
        assertEquals("/var/lib/postfix-out", FixtureTree.setting(out, "data_directory"));
        assertEquals("/usr/sbin", FixtureTree.setting(out, "command_directory"));
        assertEquals("postfix-inbound", FixtureTree.setting(read("/etc/postfix-in/main.cf"), "multi_instance_name"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("var/lib/postfix-in"))));
        assertNothingMentionsTheTree();

        ok("-i", "postfix-inbound", "-e", "deport");
        assertEquals("/etc/postfix-in", FixtureTree.setting(read("/etc/postfix/main.cf"), "alternate_config_directories"));
        ok("-i", "postfix-out", "-e", "disable");
        ok("-i", "postfix-out", "-e", "destroy");
        assertFalse(Files.exists(root.resolve("etc/postfix-out")));
        assertFalse(Files.exists(root.resolve("var/spool/postfix-out")));
        assertFalse(Files.exists(root.resolve("var/lib/postfix-out")));
        assertEquals(line("-", "-", "y", "/etc/postfix"), ours("-l").out());
        assertNothingMentionsTheTree();
        assertFalse(Files.exists(root.resolve("ran-postfix")), "no postfix of the tree ran (status, set-permissions)");
        assertFalse(Files.exists(root.resolve("ran-postlog")), "nothing was logged through the tree's postlog");
    }

    /** Every file written holds target paths only: no trace of where the tree lives on this host. */
    private void assertNothingMentionsTheTree() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            // The fake programs in usr/sbin are the test's own, not written by the tool.
            for (Path file : files.filter(f -> Files.isRegularFile(f) && !f.startsWith(root.resolve("usr"))).toList()) {
                String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertFalse(text.contains(cleanup.root.toString()), file + " mentions the tree's location");
            }
        }
    }

    @Test
    void theHostIsNotTouched() {
        boolean hadOut = Files.exists(Path.of("/etc/postfix-out"));
        String hostMainCf = Files.exists(Path.of("/etc/postfix/main.cf")) ? TestFiles.read(Path.of("/etc/postfix/main.cf")) : null;
        ok("-e", "init");
        ok("-I", "postfix-out", "-e", "create");
        assertEquals(hadOut, Files.exists(Path.of("/etc/postfix-out")));
        if (hostMainCf != null) assertEquals(hostMainCf, TestFiles.read(Path.of("/etc/postfix/main.cf")));
    }

    /**
     * The dry run of a create reads like a plan: it says once that the paths are inside the tree,
     * and shows the new main.cf as the prototype's few changed lines, master.cf as a copy.
     */
    @Test
    void aDryRunIsAShortPlanWithTargetPaths() {
        ok("-e", "init");
        FixtureTree.Run dry = ours("-n", "-I", "postfix-out", "-e", "create");
        assertEquals(0, dry.status(), dry.both());
        String out = dry.out();
        assertTrue(out.startsWith("# --root: every path below is inside " + root + "\n"
                + "# mkdir -m 0755 /etc/postfix-out\n# mkdir -m 0755 /var/spool/postfix-out\n"
                + "# mkdir -m 0700 /var/lib/postfix-out\n"
                + "# new file /etc/postfix-out/main.cf: /etc/postfix/main.cf.proto with these changes\n"
                + "--- a/etc/postfix/main.cf.proto\n+++ b/etc/postfix-out/main.cf\n"), out);
        assertTrue(out.contains("\n+queue_directory = /var/spool/postfix-out\n"), out);
        assertTrue(out.contains("\n+data_directory = /var/lib/postfix-out\n"), out);
        assertTrue(out.contains("\n+multi_instance_name = postfix-out\n"), out);
        assertTrue(out.contains("\n# new file /etc/postfix-out/master.cf: a copy of /etc/postfix/master.cf.proto\n"), out);
        assertTrue(out.contains("\n+multi_instance_directories = /etc/postfix-out\n"), out);
        assertTrue(out.endsWith("# skip /usr/sbin/postfix -c /etc/postfix-out set-permissions (--root)\n"), out);
        long lines = out.lines().count();
        assertTrue(lines <= 80, "the plan of a create takes " + lines + " lines:\n" + out);
        assertEquals(1, out.split(java.util.regex.Pattern.quote(root.toString()), -1).length - 1,
                "only the first line names the tree:\n" + out);
    }

    /**
     * Create skips set-permissions under --root, so the queue subdirectories never exist:
     * destroy removes what create made and says nothing about the rest, nor does its dry run.
     */
    @Test
    void createThenDestroySaysNothingAboutWhatWasNeverThere() {
        ok("-e", "init");
        ok("-I", "postfix-out", "-e", "create");
        FixtureTree.Run dry = ours("-n", "-i", "postfix-out", "-e", "destroy");
        assertEquals(0, dry.status(), dry.both());
        assertFalse(dry.out().contains("/var/spool/postfix-out/"), dry.out());
        assertTrue(dry.out().endsWith("# rmdir /var/lib/postfix-out\n# rmdir /var/spool/postfix-out\n"
                + "# rm /etc/postfix-out/master.cf\n# rm /etc/postfix-out/main.cf\n# rmdir /etc/postfix-out\n"), dry.out());
        FixtureTree.Run destroyed = ours("-i", "postfix-out", "-e", "destroy");
        assertEquals(0, destroyed.status(), destroyed.both());
        assertEquals("", destroyed.both());
        for (String gone : List.of("etc/postfix-out", "var/spool/postfix-out", "var/lib/postfix-out"))
            assertFalse(Files.exists(root.resolve(gone)), gone);
    }

    /** What stays behind is still reported under --root: only the names that are not there go unmentioned. */
    @Test
    void destroyStillReportsWhatStays() throws IOException {
        ok("-e", "init");
        ok("-I", "postfix-out", "-e", "create");
        TestFiles.write(root.resolve("var/spool/postfix-out/hold/message"), "x");
        FixtureTree.Run destroyed = ours("-i", "postfix-out", "-e", "destroy");
        assertEquals(0, destroyed.status(), destroyed.both());
        assertEquals("rmdir: failed to remove 'hold': Directory not empty\n"
                + "postfix/postmulti-script: warning: /var/spool/postfix-out/hold: please verify contents and remove by hand\n"
                + "rmdir: failed to remove '/var/spool/postfix-out': Directory not empty\n"
                + "postfix/postmulti-script: warning: /var/spool/postfix-out: please verify contents and remove by hand\n",
                destroyed.err());
    }

    @Test
    void commandModesAreRefusedAndListingWorks() {
        String refusal = "postmulti: fatal: The '--root' option is available only with '-l' and '-e': "
                + "'-p' and '-x' run commands on this host\n";
        assertEquals(refusal, ours("-p", "status").err());
        assertEquals(refusal, ours("-x", "true").err());
        assertEquals(line("-", "-", "y", "/etc/postfix"), ours("-l").out());
        assertEquals("{\"name\": \"-\",\"group\": \"-\",\"enabled\": \"y\",\"config_directory\": \"/etc/postfix\"}\n",
                ours("-l", "-j").out());
    }

    @Test
    void optionChecks() {
        assertEquals("postmulti: fatal: With '--root', '-c' takes an absolute path on the target host\n",
                ours("-c", "etc/postfix", "-l").err());
        assertEquals(line("-", "-", "y", "/etc/postfix"), ours("-c", "/etc/postfix", "-l").out());
        FixtureTree.Run missing = InProcess.run("--root", root.resolve("nowhere").toString(), "-l");
        assertEquals("postmulti: fatal: --root " + root.resolve("nowhere") + ": No such file or directory\n", missing.err());
    }

    @Test
    void theSharedDirectoriesNeedNotExistInTheTree() {
        assertFalse(Files.exists(root.resolve("usr/lib/postfix/sbin")));
        ok("-e", "init");
        ok("-I", "postfix-out", "-G", "mta", "-e", "create");
        FixtureTree.Run list = ours("-l");
        assertEquals(0, list.status(), list.both());
        assertEquals(line("-", "-", "y", "/etc/postfix") + line("postfix-out", "mta", "n", "/etc/postfix-out"), list.out());
        assertEquals("", list.err());
    }

    @Test
    void linksInTheTreeAreFollowedInsideIt() throws IOException {
        // An image whose /var/spool is a link to /srv/spool: the link means the tree's /srv/spool.
        Path spool = root.resolve("var/spool");
        Files.move(spool, Files.createDirectories(root.resolve("srv")).resolve("spool"));
        Files.createSymbolicLink(spool, Path.of("/srv/spool"));
        ok("-e", "init");
        ok("-I", "postfix-out", "-e", "create");
        assertTrue(Files.isDirectory(root.resolve("srv/spool/postfix-out")));
        assertEquals("/var/spool/postfix-out", FixtureTree.setting(read("/etc/postfix-out/main.cf"), "queue_directory"));
        assertFalse(Files.exists(Path.of("/srv/spool/postfix-out")));
    }

    @Test
    void hostPathsStayInsideTheTree() throws IOException {
        Host host = Host.under(root.toString());
        Path real = root.toRealPath();
        assertEquals(real.resolve("etc/postfix/main.cf"), host.path("/etc/postfix/main.cf"));
        assertEquals(real.resolve("x"), host.path("/../../../x"));
        assertEquals(real.resolve("etc/x"), host.path("/etc/postfix/../x"));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../../.."));
        assertEquals(real.resolve("etc"), host.path("/up/etc"), "a relative link cannot climb out either");
        Files.createSymbolicLink(root.resolve("last"), Path.of("/etc"));
        assertEquals(real.resolve("last"), host.path("/last"), "the last component is the caller's to follow");
        assertEquals(real.resolve("etc"), host.resolved("/last"));
    }
}
