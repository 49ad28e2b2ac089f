import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every life-cycle action and every refusal on a temporary tree (see {@link FixtureTree}), run in
 * this JVM against {@code -c <tree>/etc/postfix}. The byte-level comparison with the real
 * postmulti is in {@link LifecycleDifferentialTest}.
 */
class LifecycleTest {
    private FixtureTree tree;

    @AfterEach
    void removeTree() {
        if (tree != null) tree.close();
    }

    private FixtureTree fresh(String extra) {
        tree = FixtureTree.create(extra);
        return tree;
    }

    private FixtureTree initialized(String extra) {
        tree = FixtureTree.initialized(extra);
        return tree;
    }

    private static void assertFatal(String text, FixtureTree.Run run) {
        assertEquals(1, run.status(), run.both());
        assertEquals("postmulti: fatal: " + text + "\n", run.err());
        assertEquals("", run.out());
    }

    /** A refusal the C program leaves to its helper script, shown under the helper's log tag. */
    private static void assertHelperFatal(String text, FixtureTree.Run run) {
        assertEquals(1, run.status(), run.both());
        assertEquals("postfix/postmulti-script: fatal: " + text + "\n", run.err());
        assertEquals("", run.out());
    }

    /** The tree is as it was (no lock file left either), but for the fake postfix's log. */
    private void assertUnchanged(Map<String, String> before) {
        Map<String, String> after = tree.snapshot();
        for (Map<String, String> m : List.of(before, after))
            m.keySet().removeIf(k -> k.equals("postfix.log"));
        assertEquals(before, after);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    // ----------------------------------------------------------------- init

    @Test
    void initSetsWrapperAndEnable() {
        fresh("multi_instance_enable = no\n");
        FixtureTree.Run run = tree.run("-e", "init");
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.both());
        String text = tree.primaryMainCf();
        assertEquals("${command_directory}/postmulti -p --", FixtureTree.setting(text, "multi_instance_wrapper"));
        assertEquals("yes", FixtureTree.setting(text, "multi_instance_enable"));
        assertTrue(text.contains("\nmulti_instance_enable = yes\n"), "replaced where it was: " + text);
        assertFalse(text.contains("-c "), "no -c in the wrapper for an alternate primary");
    }

    @Test
    void initTwiceChangesNothingTheSecondTime() {
        fresh("");
        assertEquals(0, tree.run("-e", "init").status());
        Map<String, String> before = tree.snapshot();
        FixtureTree.Run again = tree.run("-e", "init");
        assertEquals(0, again.status(), again.err());
        assertUnchanged(before);
    }

    @Test
    void initTakesTheWrapperFromTheEnvironment() {
        fresh("");
        FixtureTree.Run run = tree.run(Map.of("POSTMULTI_WRAPPER", "/opt/pm/postmulti -p --"), "-e", "init");
        assertEquals(0, run.status(), run.err());
        assertEquals("/opt/pm/postmulti -p --", FixtureTree.setting(tree.primaryMainCf(), "multi_instance_wrapper"));
    }

    @Test
    void initWorksWithBrokenSecondaries() {
        fresh("multi_instance_directories = /nonexistent/postfix-x\n");
        FixtureTree.Run run = tree.run("-e", "init");
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.both());
        String text = tree.primaryMainCf();
        assertEquals("${command_directory}/postmulti -p --", FixtureTree.setting(text, "multi_instance_wrapper"));
        assertEquals("yes", FixtureTree.setting(text, "multi_instance_enable"));
        assertEquals("/nonexistent/postfix-x", FixtureTree.setting(text, "multi_instance_directories"), "the broken list is left as it was");
    }

    @Test
    void everyOtherActionWaitsForInit() {
        fresh("");
        String secondary = tree.secondary("postfix-a", "postfix-a", null, false, "");
        tree.secondary("postfix-b", null, null, false, "");
        tree.appendPrimary("multi_instance_directories = " + secondary + "\n");
        Map<String, String> before = tree.snapshot();
        String empty = "multi_instance_wrapper is empty, run 'postmulti -e init' first.";
        assertHelperFatal(empty, tree.run("-I", "postfix-c", "-e", "create"));
        assertHelperFatal(empty, tree.run("-I", "postfix-b", "-e", "import"));
        assertHelperFatal(empty, tree.run("-i", "postfix-a", "-e", "destroy"));
        assertHelperFatal(empty, tree.run("-i", "postfix-a", "-e", "deport"));
        assertHelperFatal(empty, tree.run("-i", "postfix-a", "-e", "enable"));
        assertHelperFatal(empty, tree.run("-i", "postfix-a", "-e", "disable"));
        assertHelperFatal(empty, tree.run("-i", "postfix-a", "-I", "postfix-c", "-e", "assign"));
        tree.appendPrimary("multi_instance_wrapper = ${command_directory}/postmulti -p --\n");
        String disabled = "multi_instance_enable!=yes, run 'postmulti -e init' first.";
        assertHelperFatal(disabled, tree.run("-i", "postfix-a", "-e", "enable"));
        tree.appendPrimary("multi_instance_enable = YES\n");
        assertHelperFatal(disabled, tree.run("-i", "postfix-a", "-e", "enable"));
        // An assignment that changes nothing ends before the helper's check, as in the C program.
        FixtureTree.Run noChange = tree.run("-i", "postfix-a", "-I", "postfix-a", "-e", "assign");
        assertEquals(0, noChange.status(), noChange.err());
        // The C program's own checks come first.
        assertFatal("No instance named nosuch", tree.run("-i", "nosuch", "-e", "enable"));
        Map<String, String> after = tree.snapshot();
        before.keySet().removeIf(k -> k.endsWith("etc/postfix/main.cf"));
        after.keySet().removeIf(k -> k.endsWith("etc/postfix/main.cf"));
        assertEquals(before, after);
    }

    // ----------------------------------------------------------------- create

    @Test
    void createDerivesTheDirectoriesFromTheName() throws IOException {
        initialized("readme_directory = no\nmail_owner = postfix\nsendmail_path =\n");
        FixtureTree.Run run = tree.run("-I", "postfix-out", "-G", "mta", "-e", "create");
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.both());
        String config = tree.etc("postfix-out");
        assertEquals("rwxr-xr-x", mode(Path.of(config)));
        assertEquals("rwxr-xr-x", mode(Path.of(tree.spool("postfix-out"))));
        assertEquals("rwx------", mode(Path.of(tree.lib("postfix-out"))));
        assertFalse(Files.exists(Path.of(config, ".tmp")));
        assertEquals("rw-r--r--", mode(Path.of(config, "main.cf")));

        String text = tree.mainCf(config);
        assertEquals(tree.spool("postfix-out"), FixtureTree.setting(text, "queue_directory"));
        assertEquals(tree.lib("postfix-out"), FixtureTree.setting(text, "data_directory"));
        assertEquals("", FixtureTree.setting(text, "authorized_submit_users"));
        assertTrue(text.contains("\nauthorized_submit_users = \n"));
        assertEquals("inet", FixtureTree.setting(text, "master_service_disable"));
        assertEquals("postfix-out", FixtureTree.setting(text, "multi_instance_name"));
        assertEquals("mta", FixtureTree.setting(text, "multi_instance_group"));
        assertNull(FixtureTree.setting(text, "multi_instance_enable"), "disabled by default");
        // Shared parameters: cloned when the primary sets them (non-empty), else commented out.
        assertEquals(tree.path("usr/sbin"), FixtureTree.setting(text, "command_directory"));
        assertEquals(tree.path("usr/share/postfix"), FixtureTree.setting(text, "meta_directory"));
        assertEquals("no", FixtureTree.setting(text, "readme_directory"));
        assertEquals("postfix", FixtureTree.setting(text, "mail_owner"));
        if (FixtureTree.installedProto("main.cf.proto") != null) {
            assertTrue(text.contains("\n#sendmail_path =\n"), "empty in the primary: commented out");
            assertTrue(text.contains("\n#html_directory =\n"));
        }
        // master.cf is the prototype, copied with its mode and times (cp -p).
        Path master = Path.of(config, "master.cf");
        Path proto = tree.meta().resolve("master.cf.proto");
        assertEquals(TestFiles.read(proto), TestFiles.read(master));
        assertEquals(mode(proto), mode(master));
        assertEquals(Files.getLastModifiedTime(proto), Files.getLastModifiedTime(master));

        assertEquals("multi_instance_directories = " + config, lastLine(tree.primaryMainCf()));
        assertEquals(List.of("-               -               y         " + tree.primary,
                "postfix-out     mta             n         " + config), tree.list());
        assertEquals(List.of("-c " + config + " set-permissions | MAIL_CONFIG=" + tree.primary + " config_directory=" + config
                + " queue_directory=" + tree.spool("postfix-out") + " data_directory=" + tree.lib("postfix-out")
                + " PATH=" + tree.path("usr/sbin")), tree.postfixLog());
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void createWithExplicitDirectories() {
        initialized("");
        FixtureTree.Run run = tree.run("-e", "create", "config_directory = " + tree.path("cf/a") + "//",
                "queue_directory=" + tree.path("q/a") + "/", "data_directory=" + tree.path("d/x/a"));
        assertEquals(0, run.status(), run.err());
        String text = tree.mainCf(tree.path("cf/a"));
        assertEquals(tree.path("q/a"), FixtureTree.setting(text, "queue_directory"));
        assertEquals(tree.path("d/x/a"), FixtureTree.setting(text, "data_directory"));
        assertNull(FixtureTree.setting(text, "multi_instance_name"), "nameless");
        assertEquals("-               -               n         " + tree.path("cf/a"), tree.list().get(1));
    }

    @Test
    void mkdirParentsGetTheModeOfTheUmask() throws IOException {
        initialized("");
        FixtureTree.Run run = tree.run("-I", "postfix-a", "-e", "create", "data_directory=" + tree.path("d1/d2/a"),
                "queue_directory=" + tree.path("q1/q2/a"));
        assertEquals(0, run.status(), run.err());
        assertEquals("rwx------", mode(Path.of(tree.path("d1"))));
        assertEquals("rwx------", mode(Path.of(tree.path("d1/d2"))));
        assertEquals("rwxr-xr-x", mode(Path.of(tree.path("q1/q2"))));
    }

    @Test
    void createParameterRefusals() {
        initialized("");
        Map<String, String> before = tree.snapshot();
        assertFatal("Malformed parameter setting 'queue_directory'", tree.run("-I", "postfix-a", "-e", "create", "queue_directory"));
        assertFatal("Malformed parameter setting '=/x'", tree.run("-I", "postfix-a", "-e", "create", "=/x"));
        assertFatal("Parameter 'myhostname' not valid with action create",
                tree.run("-I", "postfix-a", "-e", "create", "myhostname=x"));
        assertFatal("Parameter 'queue_directory' not valid with action import",
                tree.run("-I", "postfix-a", "-e", "import", "queue_directory=/x"));
        assertFatal("Parameter setting 'queue_directory' is not an absolute path",
                tree.run("-I", "postfix-a", "-e", "create", "queue_directory = spool"));
        assertFatal("Parameter setting 'data_directory' is not an absolute path",
                tree.run("-I", "postfix-a", "-e", "create", "data_directory="));
        assertFatal("Parameter setting 'config_directory' is the root directory",
                tree.run("-I", "postfix-a", "-e", "create", "config_directory=///"));
        assertFatal("Missing config_directory parameter value", tree.run("-e", "create"));
        assertFatal("Missing config_directory parameter value", tree.run("-I", "-", "-e", "create"));
        assertFatal("Missing queue_directory parameter value", tree.run("-e", "create", "config_directory=/x"));
        assertFatal("Missing data_directory parameter value",
                tree.run("-e", "create", "config_directory=/x", "queue_directory=/y"));
        assertFatal("new config_directory=" + tree.primary + " is already in use by instance " + tree.primary
                + ", config_directory=" + tree.primary, tree.run("-e", "create", "config_directory=" + tree.primary + "/"));
        assertUnchanged(before);
    }

    @Test
    void primaryDirectoriesMustBeAbsoluteToDeriveFrom() {
        initialized("data_directory = relative/lib\n");
        FixtureTree.Run run = tree.run("-I", "postfix-a", "-e", "create");
        assertEquals(1, run.status());
        // The setting overrides the tree's own data_directory, which the C program warns about too.
        List<String> lines = run.err().lines().toList();
        assertEquals(2, lines.size(), run.err());
        assertTrue(lines.get(0).contains(": overriding earlier entry: data_directory="), run.err());
        assertEquals("postmulti: fatal: Invalid default data_directory parameter value: 'relative/lib': specify an absolute pathname",
                lines.get(1));
    }

    @Test
    void nameAndGroupChecks() {
        initialized("");
        assertFatal("Unsafe characters in new instance name: 'postfix-a b'", tree.run("-I", "postfix-a b", "-e", "create"));
        assertFatal("Illegal '/' character in new instance name: 'postfix-a/b'", tree.run("-I", "postfix-a/b", "-e", "create"));
        assertFatal("New instance name must start with 'postfix-'", tree.run("-I", "mta-out", "-e", "create"));
        assertFatal("Unsafe characters in '-G a;b'", tree.run("-I", "postfix-a", "-G", "a;b", "-e", "create"));
        // Checked before the parameter words, as in the C program.
        assertFatal("New instance name must start with 'postfix-'", tree.run("-I", "x", "-e", "create", "bogus"));
        assertEquals(0, tree.run("-I", "postfix-ok!@%-_=+:.", "-G", "g!@%-_=+:./", "-e", "create",
                "config_directory=" + tree.path("etc/ok")).status());
    }

    @Test
    void claimsOfTheNewInstanceConflictWithExistingOnes() {
        initialized("");
        assertEquals(0, tree.run("-I", "postfix-a", "-e", "create").status());
        assertFatal("instance " + tree.path("etc/b") + ", multi_instance_name=postfix-a conflicts with instance "
                + tree.etc("postfix-a") + ", multi_instance_name=postfix-a",
                tree.run("-I", "postfix-a", "-e", "create", "config_directory=" + tree.path("etc/b")));
        assertFatal("new config_directory=" + tree.etc("postfix-a") + " is already in use by instance "
                + tree.etc("postfix-a") + ", config_directory=" + tree.etc("postfix-a"),
                tree.run("-I", "postfix-a", "-e", "create"));
        assertFatal("instance " + tree.etc("postfix-b") + ", queue_directory=" + tree.spool("postfix-a")
                + " conflicts with instance " + tree.etc("postfix-a") + ", queue_directory=" + tree.spool("postfix-a"),
                tree.run("-I", "postfix-b", "-e", "create", "queue_directory=" + tree.spool("postfix-a")));
        assertFatal("instance " + tree.etc("postfix-b") + ", data_directory=" + tree.path("usr/sbin")
                + " conflicts with instance " + tree.primary + ", command_directory=" + tree.path("usr/sbin"),
                tree.run("-I", "postfix-b", "-e", "create", "data_directory=" + tree.path("usr/sbin")));
    }

    @Test
    void placementBeforeTheSelectedInstanceOrGroupOrFirst() {
        initialized("");
        assertEquals(0, tree.run("-I", "postfix-a", "-G", "g1", "-e", "create").status());
        assertEquals(0, tree.run("-I", "postfix-b", "-G", "g2", "-e", "create").status());
        assertEquals(0, tree.run("-I", "postfix-c", "-i", "b", "-e", "create").status());
        assertEquals(0, tree.run("-I", "postfix-d", "-g", "g1", "-e", "create").status());
        assertEquals(0, tree.run("-I", "postfix-e", "-a", "-e", "create").status());
        assertEquals(0, tree.run("-I", "postfix-f", "-i", tree.etc("postfix-b"), "-e", "create").status());
        assertEquals("multi_instance_directories = " + String.join(" ", tree.etc("postfix-e"), tree.etc("postfix-d"),
                tree.etc("postfix-a"), tree.etc("postfix-c"), tree.etc("postfix-f"), tree.etc("postfix-b")),
                lastLine(tree.primaryMainCf()));
        assertFatal("No matching secondary instances", tree.run("-I", "postfix-x", "-i", "nosuch", "-e", "create"));
        assertFatal("No matching secondary instances", tree.run("-I", "postfix-x", "-i", "-", "-e", "create"));
        assertFatal("No matching secondary instances", tree.run("-I", "postfix-x", "-g", "nosuch", "-e", "create"));
    }

    @Test
    void allWithNoSecondariesAppends() {
        initialized("");
        assertEquals(0, tree.run("-I", "postfix-a", "-a", "-e", "create").status());
        assertEquals(2, tree.list().size());
    }

    @Test
    void theListIsRewrittenSpaceSeparatedAndAlternatesLoseTheNewOne() {
        String a = "/x/a";
        initialized("");
        String b = tree.secondary("postfix-b", "postfix-b", null, false, "");
        String c = tree.secondary("postfix-c", "postfix-c", null, false, "");
        tree.appendPrimary("multi_instance_directories = ,," + b + " ,\n  " + c + ",\n"
                + "alternate_config_directories = " + a + ", " + tree.etc("postfix-n") + "  /x/b,,/x/c\n");
        assertEquals(0, tree.run("-I", "postfix-n", "-e", "create").status());
        String text = tree.primaryMainCf();
        assertEquals(b + " " + c + " " + tree.etc("postfix-n"), FixtureTree.setting(text, "multi_instance_directories"));
        // The shell's field splitting of "a, n  /x/b,,/x/c": the empty field between the commas stays.
        assertEquals("/x/a /x/b  /x/c", FixtureTree.setting(text, "alternate_config_directories"));
        assertTrue(text.contains("\nmulti_instance_directories = " + b + " " + c + " " + tree.etc("postfix-n") + "\n"), text);
    }

    @Test
    void alternatesThatBecomeEmptyKeepTheSpaceAfterTheEquals() {
        initialized("");
        tree.appendPrimary("alternate_config_directories = " + tree.etc("postfix-n") + "\n");
        assertEquals(0, tree.run("-I", "postfix-n", "-e", "create").status());
        assertTrue(tree.primaryMainCf().contains("\nalternate_config_directories = \n"));
    }

    @Test
    void alternatesWithoutTheNewInstanceAreNotTouched() {
        initialized("alternate_config_directories = /x/a,/x/b\n");
        assertEquals(0, tree.run("-I", "postfix-n", "-e", "create").status());
        assertTrue(tree.primaryMainCf().contains("\nalternate_config_directories = /x/a,/x/b\n"));
    }

    @Test
    void createOfACompleteDirectoryImportsItAsItIs() {
        initialized("");
        String dir = tree.secondary("postfix-x", null, null, true, "custom = 1\n");
        Map<String, String> before = tree.snapshot();
        FixtureTree.Run run = tree.run("-I", "postfix-x", "-e", "create");
        assertEquals(0, run.status(), run.err());
        String text = tree.mainCf(dir);
        assertEquals("postfix-x", FixtureTree.setting(text, "multi_instance_name"));
        assertEquals("1", FixtureTree.setting(text, "custom"));
        assertEquals("yes", FixtureTree.setting(text, "multi_instance_enable"));
        assertFalse(text.contains("master_service_disable"), "not a stock main.cf");
        assertEquals(before.get("etc/postfix-x/master.cf"), tree.snapshot().get("etc/postfix-x/master.cf"));
    }

    @Test
    void createOverAnIncompleteDirectoryInstallsStockFiles() throws IOException {
        initialized("");
        TestFiles.write(Path.of(tree.etc("postfix-x"), "main.cf"), "old = 1\n");
        Files.setPosixFilePermissions(Path.of(tree.etc("postfix-x"), "main.cf"), PosixFilePermissions.fromString("rw-------"));
        assertEquals(0, tree.run("-I", "postfix-x", "-e", "create").status());
        String text = tree.mainCf(tree.etc("postfix-x"));
        assertNull(FixtureTree.setting(text, "old"));
        assertEquals("inet", FixtureTree.setting(text, "master_service_disable"));
        assertEquals("rw-r--r--", mode(Path.of(tree.etc("postfix-x"), "main.cf")));
    }

    @Test
    void missingPrototypes() throws IOException {
        initialized("");
        Files.delete(tree.meta().resolve("master.cf.proto"));
        Map<String, String> before = tree.snapshot();
        assertHelperFatal("Missing master.cf prototype: " + tree.meta() + "/master.cf.proto", tree.run("-I", "postfix-a", "-e", "create"));
        Files.delete(tree.meta().resolve("main.cf.proto"));
        assertHelperFatal("Missing main.cf prototype: " + tree.meta() + "/main.cf.proto", tree.run("-I", "postfix-a", "-e", "create"));
        Map<String, String> after = tree.snapshot();
        after.keySet().removeIf(k -> k.contains("proto"));
        before.keySet().removeIf(k -> k.contains("proto"));
        assertEquals(before, after);
    }

    @Test
    void aFailedSetPermissionsUndoesEverything() {
        initialized("");
        tree.run("-e", "init");
        tree.setPermissionsStatus(3);
        Map<String, String> before = tree.snapshot();
        Tool.Result run = tree.ours("-I", "postfix-a", "-G", "g", "-e", "create");
        assertEquals(1, run.status());
        assertEquals("postmulti: fatal: '" + tree.path("usr/sbin/postfix") + " -c " + tree.etc("postfix-a")
                + " set-permissions' failed (exit status 3); the changes were undone\n", run.err());
        assertUnchanged(before);
    }

    /**
     * SIGTERM while set-permissions runs: the child is stopped, the commit is undone, and only
     * then does the tool die of the signal (status 143), leaving the tree as it was.
     */
    @Test
    void aTerminatedCreateLeavesNothingBehind() throws Exception {
        initialized("");
        tree.run("-e", "init");
        tree.setPermissionsSleep(30);
        Map<String, String> before = tree.snapshot();
        Process create = new ProcessBuilder(Tool.command(tree.withPrimary("-I", "postfix-t", "-e", "create")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (tree.postfixLog().isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(50);
        assertEquals(1, tree.postfixLog().size(), "set-permissions started");
        assertTrue(Files.exists(Path.of(tree.etc("postfix-t"), "master.cf")), "the instance was in place");
        create.destroy();
        assertTrue(create.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(143, create.exitValue());
        assertUnchanged(before);
    }

    @Test
    void withoutAPostfixCommandSetPermissionsIsSkippedWithAWarning() {
        initialized("").withoutPostfix();
        FixtureTree.Run run = tree.run("-I", "postfix-a", "-e", "create");
        assertEquals(0, run.status());
        assertEquals("postmulti: warning: no " + tree.path("usr/sbin/postfix") + ": skipped '" + tree.path("usr/sbin/postfix")
                + " -c " + tree.etc("postfix-a") + " set-permissions'; run it before starting the instance\n", run.err());
        assertEquals(2, tree.list().size());
    }

    // ----------------------------------------------------------------- import

    @Test
    void importReadsTheInstanceAndRenamesIt() {
        initialized("");
        String dir = tree.secondary("postfix-x", "postfix-old", "g0", false, "");
        FixtureTree.Run run = tree.run("-I", "postfix-x", "-G", "mta", "-e", "import");
        assertEquals(0, run.status(), run.err());
        String text = tree.mainCf(dir);
        assertTrue(text.endsWith("multi_instance_name = postfix-x\nmulti_instance_group = mta\n"), text);
        assertEquals("postfix-x       mta             n         " + dir, tree.list().get(1));
        assertTrue(tree.postfixLog().get(0).contains("queue_directory=" + tree.spool("postfix-x") + " "));
    }

    /** An empty staging directory left by an interrupted create goes when the instance is imported; one with files stays. */
    @Test
    void importRemovesAnEmptyLeftoverStagingDirectory() throws IOException {
        initialized("");
        String dir = tree.secondary("postfix-x", "postfix-x", null, false, "");
        Files.createDirectory(Path.of(dir, ".tmp"));
        FixtureTree.Run run = tree.run("-e", "import", "config_directory=" + dir);
        assertEquals(0, run.status(), run.err());
        assertFalse(Files.exists(Path.of(dir, ".tmp")), "the empty leftover stays");
        String kept = tree.secondary("postfix-y", "postfix-y", null, false, "");
        TestFiles.write(Path.of(kept, ".tmp", "main.cf"), "half\n");
        assertEquals(0, tree.run("-e", "import", "config_directory=" + kept).status());
        assertTrue(Files.exists(Path.of(kept, ".tmp", "main.cf")));
    }

    @Test
    void importByConfigDirectoryKeepsTheNameAndCanClearIt() {
        initialized("");
        String dir = tree.secondary("somewhere", "postfix-s", null, true, "");
        assertEquals(0, tree.run("-e", "import", "config_directory=" + dir).status());
        assertEquals("postfix-s       -               y         " + dir, tree.list().get(1));
        String unchanged = tree.mainCf(dir);
        assertFalse(unchanged.contains("multi_instance_name = postfix-s\nmulti_instance_name"));
        tree.run("-i", "postfix-s", "-e", "disable");
        tree.run("-i", "postfix-s", "-e", "deport");
        assertEquals(0, tree.run("-I", "-", "-e", "import", "config_directory=" + dir).status());
        assertTrue(tree.mainCf(dir).contains("\nmulti_instance_name = \n"));
        assertEquals("-               -               n         " + dir, tree.list().get(1));
    }

    @Test
    void importRefusals() throws IOException {
        initialized("");
        FixtureTree.Run missing = tree.run("-I", "postfix-none", "-e", "import");
        assertEquals(1, missing.status());
        assertEquals(tree.path("usr/sbin") + "/postconf: fatal: open " + tree.etc("postfix-none") + "/main.cf: No such file or directory\n"
                + "postmulti: fatal: Failed to obtain all required " + tree.etc("postfix-none") + "/main.cf parameters\n",
                missing.err());
        String dir = tree.secondary("postfix-m", "postfix-m", null, false, "");
        Files.delete(Path.of(dir, "master.cf"));
        FixtureTree.Run noMaster = tree.run("-I", "postfix-m", "-e", "import");
        assertEquals(1, noMaster.status());
        // Reading the instance, the C program's postconf complains first, as ours does in its name.
        assertEquals(tree.path("usr/sbin") + "/postconf: warning: open " + dir + "/master.cf: No such file or directory\n"
                + "postfix/postmulti-script: fatal: '" + dir + "' lacks a master.cf file\n", noMaster.err());
        tree.secondary("postfix-q", null, null, false, "");
        TestFiles.write(Path.of(tree.etc("postfix-q"), "main.cf"),
                "queue_directory = " + tree.path("var/spool/postfix") + "\ndata_directory = /d\n");
        assertFatal("instance " + tree.etc("postfix-q") + ", queue_directory=" + tree.path("var/spool/postfix")
                + " conflicts with instance " + tree.primary + ", queue_directory=" + tree.path("var/spool/postfix"),
                tree.run("-I", "postfix-q", "-e", "import"));
    }

    // ----------------------------------------------------------------- deport

    @Test
    void deportUnlistsAndRemembersAsAlternate() {
        initialized("");
        assertEquals(0, tree.run("-I", "postfix-a", "-e", "create").status());
        assertEquals(0, tree.run("-I", "postfix-b", "-e", "create").status());
        Map<String, String> instanceFiles = tree.snapshot();
        FixtureTree.Run run = tree.run("-i", "postfix-a", "-e", "deport");
        assertEquals(0, run.status(), run.err());
        String text = tree.primaryMainCf();
        assertEquals(tree.etc("postfix-b"), FixtureTree.setting(text, "multi_instance_directories"));
        assertEquals(tree.etc("postfix-a"), FixtureTree.setting(text, "alternate_config_directories"));
        Map<String, String> after = tree.snapshot();
        instanceFiles.keySet().removeIf(k -> k.equals("etc/postfix/main.cf") || k.equals("postfix.log"));
        after.keySet().removeIf(k -> k.equals("etc/postfix/main.cf") || k.equals("postfix.log"));
        assertEquals(instanceFiles, after, "no instance file touched");
        assertTrue(tree.postfixLog().get(tree.postfixLog().size() - 1).startsWith("-c " + tree.etc("postfix-a") + " status |"));
        // Deport the last one: the list becomes empty, the alternates grow.
        assertEquals(0, tree.run("-i", "postfix-b", "-e", "deport").status());
        text = tree.primaryMainCf();
        assertTrue(text.contains("\nmulti_instance_directories = \n"), text);
        assertEquals(tree.etc("postfix-a") + " " + tree.etc("postfix-b"), FixtureTree.setting(text, "alternate_config_directories"));
    }

    @Test
    void deportDoesNotDuplicateAnAlternate() {
        initialized("");
        assertEquals(0, tree.run("-I", "postfix-a", "-e", "create").status());
        tree.appendPrimary("alternate_config_directories = /x," + tree.etc("postfix-a") + "\n");
        assertEquals(0, tree.run("-i", "postfix-a", "-e", "deport").status());
        assertEquals("/x," + tree.etc("postfix-a"), FixtureTree.setting(tree.primaryMainCf(), "alternate_config_directories"));
    }

    @Test
    void removalRefusals() {
        initialized("");
        assertEquals(0, tree.run("-I", "postfix-a", "-G", "g", "-e", "create").status());
        assertEquals(0, tree.run("-I", "postfix-on", "-e", "create").status());
        assertEquals(0, tree.run("-i", "postfix-on", "-e", "enable").status());
        Map<String, String> before = tree.snapshot();
        for (String action : List.of("deport", "destroy")) {
            assertFatal("Select an instance via '-i name'", tree.run("-g", "g", "-e", action));
            assertFatal("Select an instance via '-i name'", tree.run("-a", "-e", action));
            assertFatal("Select an instance via '-i name'", tree.run("-e", action));
            assertFatal("No instance named nosuch", tree.run("-i", "nosuch", "-e", action));
            assertFatal("Cannot remove the primary instance", tree.run("-i", "-", "-e", action));
            assertFatal("Cannot remove the primary instance", tree.run("-i", tree.primary.toString(), "-e", action));
            assertFatal("Cannot remove enabled instances", tree.run("-i", "on", "-e", action));
        }
        tree.running(tree.etc("postfix-a"));
        assertHelperFatal("Instance '" + tree.etc("postfix-a") + "' is not stopped", tree.run("-i", "postfix-a", "-e", "deport"));
        assertHelperFatal("Instance '" + tree.etc("postfix-a") + "' is not stopped", tree.run("-i", "a", "-e", "destroy"));
        Map<String, String> after = tree.snapshot();
        before.keySet().removeIf(k -> k.equals("postfix.log") || k.equals("running"));
        after.keySet().removeIf(k -> k.equals("postfix.log") || k.equals("running"));
        assertEquals(before, after);
    }

    // ----------------------------------------------------------------- destroy

    @Test
    void destroyRemovesAFreshInstanceCompletely() {
        initialized("");
        Map<String, String> before = tree.snapshot();
        assertEquals(0, tree.run("-I", "postfix-a", "-e", "create").status());
        FixtureTree.Run run = tree.run("-i", "postfix-a", "-e", "destroy");
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.both());
        Map<String, String> after = tree.snapshot();
        for (String gone : List.of("etc/postfix-a", "var/spool/postfix-a", "var/lib/postfix-a")) assertNull(after.get(gone));
        before.keySet().removeIf(k -> k.equals("etc/postfix/main.cf"));
        after.keySet().removeIf(k -> k.equals("etc/postfix/main.cf") || k.equals("postfix.log"));
        assertEquals(before, after);
        assertTrue(tree.primaryMainCf().endsWith("\nmulti_instance_directories = \n"));
    }

    @Test
    void destroyLeavesWhatItDoesNotKnowWithWarnings() throws IOException {
        initialized("");
        assertEquals(0, tree.run("-I", "postfix-a", "-e", "create").status());
        TestFiles.write(Path.of(tree.spool("postfix-a"), "hold/message"), "x");
        TestFiles.write(Path.of(tree.spool("postfix-a"), "deferred/1/2/message"), "x");
        TestFiles.write(Path.of(tree.etc("postfix-a"), "transport"), "x");
        Files.createDirectories(Path.of(tree.lib("postfix-a"), "sub"));
        FixtureTree.Run run = tree.run("-i", "postfix-a", "-e", "destroy");
        assertEquals(0, run.status());
        String advice = ": please verify contents and remove by hand\n";
        String notEmpty = "': Directory not empty\n";
        String warning = "postfix/postmulti-script: warning: ";
        assertEquals("rmdir: failed to remove 'deferred" + notEmpty + warning + tree.spool("postfix-a") + "/deferred" + advice
                + "rmdir: failed to remove 'hold" + notEmpty + warning + tree.spool("postfix-a") + "/hold" + advice
                + "rmdir: failed to remove '" + tree.lib("postfix-a") + notEmpty + warning + tree.lib("postfix-a") + advice
                + "rmdir: failed to remove '" + tree.spool("postfix-a") + notEmpty + warning + tree.spool("postfix-a") + advice
                + "rmdir: failed to remove '" + tree.etc("postfix-a") + notEmpty + warning + tree.etc("postfix-a") + advice,
                run.err());
        assertTrue(Files.exists(Path.of(tree.spool("postfix-a"), "deferred/1/2/message")));
        assertTrue(Files.exists(Path.of(tree.spool("postfix-a"), "hold/message")));
        assertFalse(Files.exists(Path.of(tree.spool("postfix-a"), "active")));
        assertTrue(Files.exists(Path.of(tree.lib("postfix-a"), "sub")));
        assertTrue(Files.exists(Path.of(tree.etc("postfix-a"), "transport")));
        assertFalse(Files.exists(Path.of(tree.etc("postfix-a"), "main.cf")));
        assertFalse(Files.exists(Path.of(tree.etc("postfix-a"), "master.cf")));
        assertEquals(1, tree.list().size());
    }

    @Test
    void destroyNeverFollowsSymbolicLinksOut() throws IOException {
        initialized("");
        assertEquals(0, tree.run("-I", "postfix-a", "-e", "create").status());
        Path outside = Files.createDirectories(Path.of(tree.path("outside/active")));
        Path outsideData = Files.createDirectories(Path.of(tree.path("outside/data")));
        Path active = Path.of(tree.spool("postfix-a"), "active");
        Files.delete(active);
        Files.createSymbolicLink(active, outside);
        Files.delete(Path.of(tree.lib("postfix-a")));
        Files.createSymbolicLink(Path.of(tree.lib("postfix-a")), outsideData);
        Files.delete(Path.of(tree.etc("postfix-a"), "master.cf"));
        Files.createSymbolicLink(Path.of(tree.etc("postfix-a"), "master.cf"), tree.meta().resolve("master.cf.proto"));
        FixtureTree.Run run = tree.run("-i", "postfix-a", "-e", "destroy");
        assertEquals(0, run.status());
        assertTrue(run.err().contains("warning: " + active + ": please verify"), run.err());
        assertTrue(run.err().contains("warning: " + tree.lib("postfix-a") + ": please verify"), run.err());
        assertTrue(Files.isDirectory(outside), "the link's target stays");
        assertTrue(Files.isDirectory(outsideData));
        assertTrue(Files.isSymbolicLink(active));
        assertTrue(Files.isSymbolicLink(Path.of(tree.lib("postfix-a"))));
        assertTrue(Files.exists(tree.meta().resolve("master.cf.proto")), "rm removes the link, not the prototype");
        assertFalse(Files.exists(Path.of(tree.etc("postfix-a")), LinkOption.NOFOLLOW_LINKS));
    }

    // ----------------------------------------------------------------- enable, disable

    @Test
    void enableAndDisableKeepModeAndOwner() throws IOException {
        initialized("");
        assertEquals(0, tree.run("-I", "postfix-a", "-e", "create").status());
        Path mainCf = Path.of(tree.etc("postfix-a"), "main.cf");
        Files.setPosixFilePermissions(mainCf, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(0, tree.run("-i", "a", "-e", "enable").status());
        assertEquals("yes", FixtureTree.setting(tree.mainCf(tree.etc("postfix-a")), "multi_instance_enable"));
        assertEquals("rw-r-----", mode(mainCf));
        assertEquals(0, tree.run("-i", tree.etc("postfix-a"), "-e", "disable").status());
        assertEquals("no", FixtureTree.setting(tree.mainCf(tree.etc("postfix-a")), "multi_instance_enable"));
        assertEquals(0, tree.run("-i", "-", "-e", "disable").status());
        assertEquals("no", FixtureTree.setting(tree.primaryMainCf(), "multi_instance_enable"));
        assertHelperFatal("multi_instance_enable!=yes, run 'postmulti -e init' first.", tree.run("-i", "-", "-e", "enable"));
        assertFatal("Select an instance via '-i name'", tree.run("-e", "enable"));
        assertFatal("No instance named postfix-b", tree.run("-i", "postfix-b", "-e", "disable"));
    }

    // ----------------------------------------------------------------- assign

    @Test
    void assignRenamesRegroupsAndClears() {
        initialized("");
        assertEquals(0, tree.run("-I", "postfix-a", "-G", "g", "-e", "create").status());
        String dir = tree.etc("postfix-a");
        assertEquals(0, tree.run("-i", "a", "-I", "postfix-z", "-G", "h", "-e", "assign").status());
        assertEquals("postfix-z       h               n         " + dir, tree.list().get(1));
        assertEquals(0, tree.run("-i", "z", "-G", "-", "-e", "assign").status());
        assertTrue(tree.mainCf(dir).contains("\nmulti_instance_group = \n"));
        assertEquals(0, tree.run("-i", "z", "-I", "-", "-e", "assign").status());
        assertEquals("-               -               n         " + dir, tree.list().get(1));
        assertEquals(0, tree.run("-i", dir, "-I", "postfix-a", "-e", "assign").status());
        assertEquals(0, tree.run("-i", "-", "-I", "postfix-main", "-e", "assign").status());
        assertEquals("postfix-main", FixtureTree.setting(tree.primaryMainCf(), "multi_instance_name"));
    }

    @Test
    void assignThatChangesNothingWritesNothing() {
        initialized("");
        assertEquals(0, tree.run("-I", "postfix-a", "-G", "g", "-e", "create").status());
        Map<String, String> before = tree.snapshot();
        FixtureTree.Run run = tree.run("-i", "a", "-I", "postfix-a", "-G", "g", "-e", "assign");
        assertEquals(0, run.status());
        assertEquals("", run.both());
        assertUnchanged(before);
    }

    @Test
    void assignRefusals() {
        initialized("");
        assertEquals(0, tree.run("-I", "postfix-a", "-e", "create").status());
        assertEquals(0, tree.run("-I", "postfix-b", "-e", "create").status());
        assertFatal("instance " + tree.etc("postfix-b") + ", multi_instance_name=postfix-a conflicts with instance "
                + tree.etc("postfix-a") + ", multi_instance_name=postfix-a", tree.run("-i", "b", "-I", "postfix-a", "-e", "assign"));
        assertFatal("Select an instance via '-i name'", tree.run("-g", "x", "-I", "postfix-c", "-e", "assign"));
        assertFatal("New instance name must start with 'postfix-'", tree.run("-i", "b", "-I", "b", "-e", "assign"));
        assertFatal("No instance named c", tree.run("-i", "c", "-I", "postfix-c", "-e", "assign"));
    }

    // ----------------------------------------------------------------- dry run and options

    @Test
    void dryRunOnlyWithE() {
        initialized("");
        assertFatal("The '-n' option is available only with '-e'", tree.run("-n", "-l"));
    }

    @Test
    void dryRunChangesNothingAndShowsEverything() {
        initialized("alternate_config_directories = " + "/elsewhere\n");
        Map<String, String> before = tree.snapshot();
        FixtureTree.Run run = tree.run("--dry-run", "-I", "postfix-a", "-G", "g", "-e", "create");
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.err());
        assertUnchanged(before);
        String out = run.out();
        String meta = tree.meta().toString();
        assertTrue(out.startsWith("# mkdir -m 0755 " + tree.etc("postfix-a") + "\n# mkdir -m 0755 " + tree.spool("postfix-a")
                + "\n# mkdir -m 0700 " + tree.lib("postfix-a") + "\n# new file " + tree.etc("postfix-a") + "/main.cf: "
                + meta + "/main.cf.proto with these changes\n--- a" + meta + "/main.cf.proto\n+++ b" + tree.etc("postfix-a")
                + "/main.cf\n"), out);
        assertTrue(out.contains("\n# new file " + tree.etc("postfix-a") + "/master.cf: a copy of " + meta + "/master.cf.proto\n"), out);
        assertTrue(out.contains("\n--- a" + tree.primary + "/main.cf\n+++ b" + tree.primary + "/main.cf\n"));
        assertTrue(out.endsWith("# run " + tree.path("usr/sbin/postfix") + " -c " + tree.etc("postfix-a") + " set-permissions\n"), out);
        assertFalse(ConfigLock.exists(Host.live(), tree.primary.toString()), "a dry run does not create the lock file");
    }
}
