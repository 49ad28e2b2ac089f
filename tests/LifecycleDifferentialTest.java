import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Our life-cycle actions against the real postmulti (and its helper script and postconf), as
 * root, each in its own copy-on-write view of the host's /etc, /var/spool and /var/lib
 * ({@link LifecycleOracle}), so that both work on the real /etc/postfix with the paths the C
 * program derives (/etc/postfix-out, /var/spool/postfix-out, /var/lib/postfix-out) and the real
 * {@code postfix set-permissions}. After every step both must show the same exit status, the
 * same stdout, the same diagnostics (also the helper script's, under its log tag, and those of
 * the commands it runs, such as rmdir's), and the same file tree:
 * entries, types, modes, owners, contents. main.cf files may differ only in the order of the
 * entries postconf appends (3.7 appends in hash-table order; we append sorted, like newer
 * Postfix). master.cf must also keep the prototype's modification time (cp -p).
 */
class LifecycleDifferentialTest {
    private LifecycleOracle real;
    private LifecycleOracle ours;

    @BeforeEach
    void sandboxes() {
        String why = LifecycleOracle.unavailableReason();
        assumeTrue(why == null, why);
        real = new LifecycleOracle();
        ours = new LifecycleOracle();
    }

    @AfterEach
    void removeSandboxes() {
        if (real != null) real.close();
        if (ours != null) ours.close();
    }

    /** One step by both; returns our result. */
    private Tool.Result step(String... args) {
        Tool.Result theirs = real.real(args);
        Tool.Result mine = ours.ours(args);
        String what = String.join(" ", args);
        assertEquals(theirs.status(), mine.status(), what + "\nreal: " + theirs.both() + "\nours: " + mine.both());
        assertEquals(theirs.out(), mine.out(), what);
        assertEquals(theirs.err(), mine.err(), what);
        assertSameTrees(what);
        return mine;
    }

    /** A preparation done the same way in both sandboxes. */
    private void shell(String command) {
        Tool.Result a = real.shell(command);
        Tool.Result b = ours.shell(command);
        assertEquals(0, a.status(), a.both());
        assertEquals(0, b.status(), b.both());
    }

    private void assertSameTrees(String what) {
        Map<String, LifecycleOracle.Entry> a = real.snapshot();
        Map<String, LifecycleOracle.Entry> b = ours.snapshot();
        assertEquals(new TreeSet<>(a.keySet()), new TreeSet<>(b.keySet()), what + ": the same entries");
        for (String path : a.keySet()) {
            LifecycleOracle.Entry x = a.get(path);
            LifecycleOracle.Entry y = b.get(path);
            assertEquals(x.kind() + " " + x.metadata(), y.kind() + " " + y.metadata(), what + ": " + path);
            if (x.content() == null) continue;
            if (path.endsWith("/main.cf")) assertSameMainCf(x.text(), y.text(), what + ": " + path);
            else assertEquals(x.text(), y.text(), what + ": " + path);
            if (path.endsWith("/master.cf") && x.modified() == protoModified())
                assertEquals(x.modified(), y.modified(), what + ": " + path + " mtime, from the prototype");
        }
    }

    private static long protoModified() {
        try {
            return Files.getLastModifiedTime(Path.of("/etc/postfix/master.cf.proto")).toMillis();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    /**
     * Equal up to the order of the appended entries: after the common beginning, both rests hold
     * the same lines, each a plain {@code name = value} entry.
     */
    static void assertSameMainCf(String expected, String actual, String what) {
        List<String> a = List.of(expected.split("\n", -1));
        List<String> b = List.of(actual.split("\n", -1));
        int common = 0;
        while (common < a.size() && common < b.size() && a.get(common).equals(b.get(common))) common++;
        List<String> restA = new ArrayList<>(a.subList(common, a.size()));
        List<String> restB = new ArrayList<>(b.subList(common, b.size()));
        Collections.sort(restA);
        Collections.sort(restB);
        assertEquals(restA, restB, what + "\n--- real:\n" + expected + "\n--- ours:\n" + actual);
        for (String line : restA) {
            assertTrue(line.isEmpty() || line.matches("[a-z0-9_]+ = .*"), what + ": only appended entries may move: " + line);
        }
    }

    @Test
    void walkthroughAndBack() {
        // Before init, every action but init is refused by the helper script.
        step("-I", "postfix-out", "-G", "mta", "-e", "create");
        step("-e", "init");
        step("-e", "init");
        // MULTI_INSTANCE_README: the output instance, with paths derived from its name.
        step("-I", "postfix-out", "-G", "mta", "-e", "create");
        step("-i", "postfix-out", "-x", "postconf", "-e", "master_service_disable =", "authorized_submit_users = root");
        step("-i", "postfix-out", "-e", "enable");
        // The input instance, placed before the output instance.
        step("-I", "postfix-in", "-G", "mta", "-i", "postfix-out", "-e", "create");
        step("-l");
        step("-i", "postfix-in", "-I", "postfix-inbound", "-G", "-", "-e", "assign");
        step("-i", "inbound", "-I", "postfix-inbound", "-e", "assign");
        step("-i", "-", "-G", "primary", "-e", "assign");
        // Removal needs a disabled instance; deport keeps the files and remembers the directory.
        step("-i", "postfix-out", "-e", "destroy");
        step("-i", "postfix-out", "-e", "disable");
        step("-i", "postfix-out", "-e", "deport");
        step("-l");
        step("-I", "postfix-out", "-G", "mta", "-e", "import");
        step("-i", "postfix-out", "-e", "disable");
        step("-i", "postfix-out", "-e", "destroy");
        step("-i", "postfix-inbound", "-e", "destroy");
        step("-l");
    }

    @Test
    void explicitDirectoriesAndLeftoversOnDestroy() {
        step("-e", "init");
        step("-I", "postfix-x", "-e", "create", "config_directory=/etc/postfix-x/", "queue_directory = /var/spool/px//",
                "data_directory=/var/lib/px/sub");
        step("-a", "-e", "create", "config_directory=/etc/nameless", "queue_directory=/var/spool/nameless",
                "data_directory=/var/lib/nameless");
        step("-l");
        shell("echo x > /var/spool/px/hold/leftover && mkdir /etc/postfix-x/extra && rmdir /var/spool/px/trace");
        step("-i", "postfix-x", "-e", "destroy");
        step("-i", "/etc/nameless", "-e", "destroy");
    }

    @Test
    void createOverExistingDirectories() {
        step("-e", "init");
        // A complete instance directory is imported as it is, whatever its queue directory says.
        shell("mkdir -p /etc/postfix-old && printf 'queue_directory = /var/spool/old\\ndata_directory = /var/lib/old\\n"
                + "multi_instance_name = postfix-older\\nmulti_instance_enable = yes\\n' > /etc/postfix-old/main.cf"
                + " && cp /etc/postfix/master.cf /etc/postfix-old/master.cf && mkdir -p /var/spool/old /var/lib/old");
        step("-I", "postfix-old", "-e", "create");
        // Only a main.cf: replaced by the stock one.
        shell("mkdir -p /etc/postfix-half && echo 'junk = 1' > /etc/postfix-half/main.cf && chmod 600 /etc/postfix-half/main.cf");
        step("-I", "postfix-half", "-e", "create");
        shell("mkdir -p /etc/postfix-nomaster && cp /etc/postfix-half/main.cf /etc/postfix-nomaster/main.cf"
                + " && sed -i 's/postfix-half/postfix-nomaster/' /etc/postfix-nomaster/main.cf");
        step("-I", "postfix-nomaster", "-e", "import");
    }

    @Test
    void alternateAndInstanceLists() {
        step("-e", "init");
        shell("postconf -e 'alternate_config_directories = /etc/a, /etc/postfix-b  /etc/c,,/etc/postfix-b'"
                + " 'multi_instance_directories ='");
        step("-I", "postfix-b", "-e", "create");
        step("-I", "postfix-c", "-e", "create");
        step("-i", "postfix-b", "-e", "deport");
        step("-i", "postfix-c", "-e", "deport");
        step("-I", "postfix-c", "-e", "import");
    }

    /**
     * postfix(1) hands {@code postfix start|stop|status} to multi_instance_wrapper (only for the
     * default configuration directory, without -c or MAIL_CONFIG). With POSTMULTI_WRAPPER naming
     * our tool, {@code -e init} makes it the wrapper, and plain {@code postfix status} then runs
     * through it exactly as through the real postmulti.
     */
    @Test
    void postfixRunsOurToolAsTheWrapper() {
        String wrapper = String.join(" ", Tool.command("-p", "--"));
        assumeTrue(!wrapper.contains("  ") && wrapper.split(" ").length == Tool.command("-p", "--").size(),
                "no white space in the java command");
        assertEquals(0, real.real("-e", "init").status());
        Tool.Result init = ours.ours(Map.of("POSTMULTI_WRAPPER", wrapper), "-e", "init");
        assertEquals(0, init.status(), init.both());
        assertEquals(wrapper + "\n", ours.shell("postconf -h multi_instance_wrapper").out());
        assertEquals(0, real.real("-I", "postfix-w", "-e", "create").status());
        assertEquals(0, ours.ours("-I", "postfix-w", "-e", "create").status());
        Tool.Result theirs = real.shell("postfix status");
        Tool.Result mine = ours.shell("postfix status");
        assertEquals(theirs.status(), mine.status());
        assertEquals(theirs.err(), mine.err());
        assertTrue(mine.err().contains("postfix-w/postfix-script: the Postfix mail system is not running"), mine.err());
    }

    @Test
    void derivedPathsKeepTheCProgramsQuirks() {
        step("-e", "init");
        // One trailing slash: the C program keeps the last component; two: it replaces it.
        shell("postconf -e 'queue_directory = /var/spool/postfix/' 'data_directory = /var/lib/postfix//'");
        Tool.Result list = step("-I", "postfix-q", "-e", "create");
        assertEquals("", list.out());
        Tool.Result text = ours.shell("postconf -c /etc/postfix-q -h queue_directory data_directory");
        assertEquals("/var/spool/postfix/postfix-q\n/var/lib/postfix-q\n", text.out());
    }

    @Test
    void refusals() {
        step("-e", "init");
        step("-I", "postfix-a", "-G", "g", "-e", "create");
        step("-I", "postfix-on", "-e", "create");
        step("-i", "on", "-e", "enable");
        step("-i", "-", "-e", "destroy");
        step("-i", "on", "-e", "deport");
        step("-g", "g", "-e", "deport");
        step("-i", "nosuch", "-e", "enable");
        step("-I", "postfix-a", "-e", "create");
        step("-I", "postfix-b", "-e", "create", "queue_directory=/var/spool/postfix-a");
        step("-I", "postfix-b", "-e", "create", "config_directory=/etc/b", "queue_directory=relative");
        step("-I", "postfix-b", "-e", "create", "config_directory=/");
        step("-I", "postfix-b", "-e", "create", "junk");
        step("-I", "postfix-b", "-e", "create", "myorigin=x");
        step("-I", "postfix-b", "-e", "import", "data_directory=/x");
        step("-I", "postfix-b", "-i", "nosuch", "-e", "create");
        step("-I", "postfix b", "-e", "create");
        step("-I", "out", "-e", "create");
        step("-I", "postfix-a/b", "-e", "create");
        step("-I", "postfix-b", "-G", "a b", "-e", "create");
        step("-e", "create");
        step("-e", "create", "config_directory=/etc/b");
        step("-i", "a", "-I", "postfix-on", "-e", "assign");
        step("-I", "postfix-none", "-e", "import");
        shell("mv /etc/postfix/master.cf.proto /etc/postfix/master.cf.saved");
        step("-I", "postfix-b", "-e", "create");
        shell("mv /etc/postfix/master.cf.saved /etc/postfix/master.cf.proto");
        shell("postconf -e multi_instance_enable=no");
        step("-i", "a", "-e", "enable");
        shell("postconf -X multi_instance_wrapper");
        step("-i", "a", "-e", "enable");
    }

    /**
     * The helper script's refusals and warnings show under its log tag, $MAIL_LOGTAG/postmulti-script:
     * the primary's syslog_name, or nothing when import_environment does not pass MAIL_LOGTAG on.
     */
    @Test
    void helperSpeaksUnderItsLogTag() {
        shell("postconf -e syslog_name=mta");
        step("-I", "postfix-a", "-e", "create");
        shell("postconf -e 'import_environment = MAIL_CONFIG LANG=C'");
        step("-I", "postfix-a", "-e", "create");
        step("-e", "init");
        step("-I", "postfix-a", "-e", "create");
        shell("echo x > /var/spool/postfix-a/hold/m");
        step("-i", "a", "-e", "destroy");
    }

    /**
     * postfix(1) starts both removal shells in the queue directory: without one, it complains
     * twice, and the data directory stays too.
     */
    @Test
    void destroyWithoutQueueDirectory() {
        step("-e", "init");
        step("-I", "postfix-a", "-e", "create");
        shell("rm -r /var/spool/postfix-a");
        step("-i", "a", "-e", "destroy");
        step("-I", "postfix-b", "-e", "create");
        shell("rm -r /var/spool/postfix-b && touch /var/spool/postfix-b");
        step("-i", "b", "-e", "destroy");
        // On a live host a missing queue subdirectory gets rmdir's complaint, as from the script
        // (only --root, which the C program lacks, leaves out names that are not there).
        step("-I", "postfix-c", "-e", "create");
        shell("rmdir /var/spool/postfix-c/saved /var/spool/postfix-c/trace");
        step("-i", "c", "-e", "destroy");
    }

    /**
     * An instance below compatibility level 3.6 (here: a hand-made one, without the setting):
     * postfix(1) says its backwards-compatibility notice each time the script has it start a
     * removal shell, with or without a queue directory to start it in.
     */
    @Test
    void destroyOfALegacyInstance() {
        step("-e", "init");
        String handMade = "mkdir -p /etc/old /var/spool/old && cp /etc/postfix/master.cf /etc/old/"
                + " && printf 'queue_directory = /var/spool/old\\ndata_directory = /var/lib/old\\n' > /etc/old/main.cf";
        shell(handMade);
        step("-e", "import", "config_directory=/etc/old");
        shell("echo x > /var/spool/old/hold/m && echo y > /var/lib/old/y");
        step("-i", "/etc/old", "-e", "destroy");
        shell("rm -rf /etc/old /var/spool/old /var/lib/old && " + handMade + " && echo 'compatibility_level = 3.5' >> /etc/old/main.cf");
        step("-e", "import", "config_directory=/etc/old");
        shell("rm -r /var/spool/old");
        step("-i", "/etc/old", "-e", "destroy");
    }

    /** mkdir -p's complaints, when a path to make is taken by something else. */
    @Test
    void directoriesThatCannotBeMade() {
        step("-e", "init");
        // What comes before exists, so the real script fails before it makes anything.
        shell("mkdir /etc/postfix-a /etc/postfix-b /etc/postfix-c /var/spool/postfix-c && touch /var/spool/postfix-a /var/spool/file"
                + " && ln -s /nonexistent /var/lib/dangling");
        step("-I", "postfix-a", "-e", "create");
        step("-I", "postfix-b", "-e", "create", "queue_directory=/var/spool/file/b");
        step("-I", "postfix-c", "-e", "create", "data_directory=/var/lib/dangling/c");
    }

    /**
     * Messages show UTF-8 as it is when the primary has smtputf8_enable = yes (the default at
     * compatibility level 1 and up), else each byte above 126 as '?'.
     */
    @Test
    void utf8InMessages() {
        step("-e", "init");
        step("-I", "postfix-\u00e4", "-e", "create");
        step("-i", "\u00e4", "-e", "enable");
        // postconf shows UTF-8 as '?' all the same, the C program as it is.
        step("-e", "import", "config_directory=/etc/postfix-\u00f6");
        shell("postconf -e smtputf8_enable=no");
        step("-I", "postfix-\u00e4", "-e", "create");
    }

    /** A primary boolean that is neither yes nor no (any case) stops every action, even before init. */
    @Test
    void badBooleansInThePrimary() {
        shell("postconf -e multi_instance_enable=maybe");
        step("-e", "init");
        shell("postconf -e multi_instance_enable=YES smtputf8_enable=sure");
        step("-e", "init");
        shell("postconf -e smtputf8_enable=No");
        step("-e", "init");
        step("-I", "postfix-a", "-e", "create");
    }

    /**
     * The dry run of a create is the real change: each new file is its prototype with the diff
     * shown under "# new file FILE: PROTOTYPE with these changes" (or a copy of it), and the
     * primary's main.cf gets a plain diff; GNU patch applied that way gives what the C program made.
     */
    @Test
    void dryRunDiffIsTheRealChange() throws java.io.IOException {
        step("-e", "init");
        String primaryBefore = ours.shell("cat /etc/postfix/main.cf").out();
        Tool.Result dry = ours.ours("-n", "-I", "postfix-out", "-G", "mta", "-e", "create");
        assertEquals(0, dry.status(), dry.both());
        assertSameTrees("a dry run changes nothing");
        String plan = dry.out();
        assertTrue(plan.startsWith("# mkdir -m 0755 /etc/postfix-out\n# mkdir -m 0755 /var/spool/postfix-out\n"
                + "# mkdir -m 0700 /var/lib/postfix-out\n"
                + "# new file /etc/postfix-out/main.cf: /etc/postfix/main.cf.proto with these changes\n"
                + "--- a/etc/postfix/main.cf.proto\n+++ b/etc/postfix-out/main.cf\n"), plan);
        assertTrue(plan.contains("\n# new file /etc/postfix-out/master.cf: a copy of /etc/postfix/master.cf.proto\n--- a/etc/postfix/main.cf\n"), plan);
        assertTrue(plan.endsWith("# run /usr/sbin/postfix -c /etc/postfix-out set-permissions\n"), plan);
        assertTrue(plan.lines().count() <= 80, plan.lines().count() + " lines");
        step("-I", "postfix-out", "-G", "mta", "-e", "create");
        Path work = Files.createTempDirectory("dry-run-patch");
        try {
            Path main = work.resolve("main.cf");
            Files.writeString(main, ours.shell("cat /etc/postfix/main.cf.proto").out(), java.nio.charset.StandardCharsets.ISO_8859_1);
            Path primary = work.resolve("primary.cf");
            Files.writeString(primary, primaryBefore, java.nio.charset.StandardCharsets.ISO_8859_1);
            int master = plan.indexOf("# new file /etc/postfix-out/master.cf");
            patch(main, plan.substring(plan.indexOf("--- a/etc/postfix/main.cf.proto"), master), work);
            patch(primary, plan.substring(plan.indexOf("--- a/etc/postfix/main.cf\n")), work);
            assertSameMainCf(real.shell("cat /etc/postfix-out/main.cf").out(), read(main), "dry run vs real: new main.cf");
            assertSameMainCf(real.shell("cat /etc/postfix/main.cf").out(), read(primary), "dry run vs real: primary main.cf");
            assertEquals(real.shell("cat /etc/postfix/master.cf.proto").out(), real.shell("cat /etc/postfix-out/master.cf").out());
        } finally {
            Tool.exec(List.of("rm", "-rf", work.toString()), Map.of(), null);
        }
    }

    /** GNU patch of one file with one part of the dry run (lines starting with '#' are not part of a diff). */
    private static void patch(Path file, String diff, Path work) throws java.io.IOException {
        Path patchFile = work.resolve("part.diff");
        Files.writeString(patchFile, diff.replaceAll("(?m)^#.*\n", ""), java.nio.charset.StandardCharsets.ISO_8859_1);
        Tool.Result patched = Tool.exec(List.of("patch", "-s", file.toString(), patchFile.toString()), Map.of(), null);
        assertEquals(0, patched.status(), patched.both());
    }

    private static String read(Path file) throws java.io.IOException {
        return Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void dryRunOfDestroyListsTheRemovals() {
        step("-e", "init");
        step("-I", "postfix-a", "-e", "create");
        shell("echo x > /var/spool/postfix-a/hold/m");
        Tool.Result dry = ours.ours("-n", "-i", "postfix-a", "-e", "destroy");
        assertEquals(0, dry.status(), dry.both());
        assertSameTrees("a dry run changes nothing");
        String diff = dry.out();
        assertTrue(diff.startsWith("--- a/etc/postfix/main.cf\n+++ b/etc/postfix/main.cf\n"), diff);
        assertTrue(diff.contains("\n# rmdir /var/spool/postfix-a/active\n"), diff);
        assertTrue(diff.contains("\n# rmdir /var/spool/postfix-a/hold would fail"), diff);
        assertTrue(diff.contains("\n# rm /etc/postfix-a/master.cf\n# rm /etc/postfix-a/main.cf\n"), diff);
        assertTrue(diff.endsWith("# rmdir /etc/postfix-a\n"), diff);
        step("-i", "postfix-a", "-e", "destroy");
    }
}
