import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A secondary whose main.cf is missing, unreadable or invalid, or whose claims conflict with an
 * earlier instance's: -l, -p and -x report it on stderr ({@code postmulti: error: instance DIR
 * skipped: ...}), leave it out and go on with the others, and exit 1; -e stops at it as the C
 * program does. The tree's command directory holds a fake postfix that logs its calls.
 */
@ExtendWith(ComparedWithReal.class)
class DamagedSecondaryTest {
    private FixtureTree tree;
    private Fixture fixture;

    @AfterEach
    void remove() {
        if (tree != null) tree.close();
        if (fixture != null) fixture.close();
    }

    private static String line(String name, String group, String enabled, String dir) {
        return String.format("%-15s %-15s %-9s %s\n", name, group, enabled, dir);
    }

    /** Healthy postfix-a (enabled) and postfix-z (disabled) around damaged ones, listed in that order. */
    private void treeWith(Map<String, String> damagedMainCfs) {
        tree = FixtureTree.initialized("");
        StringBuilder list = new StringBuilder(tree.secondary("postfix-a", "postfix-a", "g", true, ""));
        damagedMainCfs.forEach((dir, text) -> {
            TestFiles.write(tree.root.resolve("etc").resolve(dir).resolve("main.cf"), text);
            TestFiles.write(tree.root.resolve("etc").resolve(dir).resolve("master.cf"), "");
            list.append(' ').append(tree.etc(dir));
        });
        list.append(' ').append(tree.secondary("postfix-z", "postfix-z", "g", false, ""));
        tree.appendPrimary("multi_instance_directories = " + list + "\n");
    }

    private String healthyList() {
        return line("-", "-", "y", tree.primary.toString()) + line("postfix-a", "g", "y", tree.etc("postfix-a"))
                + line("postfix-z", "g", "n", tree.etc("postfix-z"));
    }

    private String skipped(String dir, String problem) {
        return "postmulti: error: instance " + tree.etc(dir) + " skipped: " + problem + "\n";
    }

    @Test
    void everyKindOfDamageIsReportedAndSkipped() throws IOException {
        String laughs = billionLaughs();
        treeWith(Map.of(
                "bad-syntax", "queue_directory = /q\nno equals sign here\n",
                "bad-expansion", "queue_directory = ${oops\n",
                "bad-enable", "queue_directory = /qe\ndata_directory = /de\nmulti_instance_enable = sometimes\n",
                "laughs", laughs));
        Files.createDirectories(tree.root.resolve("etc/unreadable/main.cf"));
        tree.appendPrimary("multi_instance_directories = " + FixtureTree.setting(tree.primaryMainCf(), "multi_instance_directories")
                + " " + tree.etc("missing") + " " + tree.etc("unreadable") + "\n");
        long start = System.nanoTime();
        FixtureTree.Run run = tree.run("-l");
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "hostile expansions end quickly");
        assertEquals(1, run.status());
        assertEquals(healthyList(), run.out());
        // The second multi_instance_directories overrides the first, which the C program warns about too.
        List<String> lines = run.err().lines().toList();
        assertTrue(lines.get(0).startsWith("postmulti: warning: " + tree.primary + "/main.cf, line "), run.err());
        assertTrue(lines.get(0).contains(": overriding earlier entry: multi_instance_directories="), run.err());
        List<String> errors = lines.subList(1, lines.size());
        assertEquals(6, errors.size(), run.err());
        for (String error : errors) assertTrue(error.startsWith("postmulti: error: instance " + tree.root), error);
        assertTrue(run.err().contains(skipped("bad-syntax", tree.etc("bad-syntax") + "/main.cf, line 2: missing '=' after attribute name: \"no equals sign here\"")), run.err());
        assertTrue(run.err().contains(skipped("bad-expansion", tree.etc("bad-expansion") + "/main.cf, line 1: parameter queue_directory: truncated macro reference: \"${oops\"")), run.err());
        assertTrue(run.err().contains(skipped("bad-enable", "Unexpected " + tree.etc("bad-enable") + "/main.cf entry: multi_instance_enable = sometimes")), run.err());
        assertTrue(run.err().contains(skipped("missing", "open " + tree.etc("missing") + "/main.cf: No such file or directory")), run.err());
        assertTrue(run.err().contains("instance " + tree.etc("unreadable") + " skipped: read " + tree.etc("unreadable") + "/main.cf: "), run.err());
        assertTrue(run.err().contains("instance " + tree.etc("laughs") + " skipped: " + tree.etc("laughs") + "/main.cf, line "), run.err());
    }

    /** Thirty levels of doubling: 2^30 copies of "lol" if nothing stopped it. */
    static String billionLaughs() {
        StringBuilder text = new StringBuilder("l0 = lol\n");
        for (int i = 1; i <= 30; i++) text.append("l").append(i).append(" = $l").append(i - 1).append("$l").append(i - 1).append('\n');
        return text.append("queue_directory = /q/$l30\n").toString();
    }

    @Test
    void theWrapperStartsAndStopsEveryHealthyInstance() {
        treeWith(Map.of("broken", "queue_directory = ${oops\n"));
        FixtureTree.Run start = tree.run("-p", "start");
        assertEquals(1, start.status());
        assertEquals(skipped("broken", tree.etc("broken") + "/main.cf, line 1: parameter queue_directory: truncated macro reference: \"${oops\""),
                start.err());
        FixtureTree.Run stop = tree.run("-p", "stop");
        assertEquals(1, stop.status());
        assertEquals(List.of("-- start | MAIL_CONFIG=" + tree.primary, "-- start | MAIL_CONFIG=" + tree.etc("postfix-a"),
                "-- check | MAIL_CONFIG=" + tree.etc("postfix-z"),
                "-- stop | MAIL_CONFIG=" + tree.etc("postfix-a"), "-- stop | MAIL_CONFIG=" + tree.primary),
                tree.postfixLog().stream().map(l -> l.substring(0, l.indexOf(" config_directory="))).toList());
    }

    @Test
    void commandModeRunsForEveryHealthyInstance() {
        treeWith(Map.of("broken", "queue_directory = /q\nnonsense\n"));
        Path marks = tree.root.resolve("marks");
        FixtureTree.Run run = tree.run("-x", "sh", "-c", "echo \"$config_directory\" >> " + marks);
        assertEquals(1, run.status());
        assertEquals(List.of(tree.primary.toString(), tree.etc("postfix-a"), tree.etc("postfix-z")),
                TestFiles.read(marks).lines().toList());
    }

    @Test
    void aSelectionStillReportsTheDamage() {
        treeWith(Map.of("broken", "queue_directory = /q\nnonsense\n"));
        FixtureTree.Run run = tree.run("-l", "-i", "postfix-a");
        assertEquals(1, run.status());
        assertEquals(line("postfix-a", "g", "y", tree.etc("postfix-a")), run.out());
        assertTrue(run.err().startsWith("postmulti: error: instance " + tree.etc("broken") + " skipped: "), run.err());
        FixtureTree.Run none = tree.run("-p", "-i", tree.etc("broken"), "status");
        assertTrue(none.err().endsWith("postmulti: fatal: No matching instances\n"), none.err());
    }

    @Test
    void lifeCycleActionsStopAtTheDamageAndChangeNothing() {
        treeWith(Map.of("broken", "queue_directory = ${oops\n"));
        Map<String, String> before = tree.snapshot();
        FixtureTree.Run run = tree.run("-i", "postfix-z", "-e", "enable");
        assertEquals(1, run.status());
        assertEquals("postmulti: warning: " + tree.etc("broken") + "/main.cf, line 1: parameter queue_directory: truncated macro reference: \"${oops\"\n"
                + "postmulti: fatal: Failed to obtain all required " + tree.etc("broken") + "/main.cf parameters\n", run.err());
        Map<String, String> after = tree.snapshot();
        assertEquals(before, after);
    }

    /**
     * Claims: a later secondary that claims what an earlier instance holds is skipped, and the
     * earlier keeps it (two instances on one queue directory must never both start). The skipped
     * one's other claims are taken back, so they make no further conflicts.
     */
    @Test
    void theLaterOfTwoConflictingInstancesIsSkippedAndClaimsNothing() {
        tree = FixtureTree.initialized("");
        String a = tree.secondary("postfix-a", "postfix-a", null, true, "");
        String thief = tree.etc("thief");
        TestFiles.write(tree.root.resolve("etc/thief/main.cf"), "multi_instance_name = postfix-b\nqueue_directory = "
                + tree.spool("postfix-a") + "\ndata_directory = " + tree.lib("thief") + "\nmulti_instance_enable = yes\n");
        TestFiles.write(tree.root.resolve("etc/thief/master.cf"), "");
        String b = tree.secondary("postfix-b", "postfix-b", null, true, "");
        // A second conflict with the same earlier instance after the first: the earlier one still holds its claims.
        String thief2 = tree.secondary("thief2", null, null, true, "");
        TestFiles.write(tree.root.resolve("etc/thief2/main.cf"), "data_directory = " + tree.lib("postfix-a")
                + "\nqueue_directory = " + tree.spool("thief2") + "\nmulti_instance_enable = yes\n");
        tree.appendPrimary("multi_instance_directories = " + a + " " + thief + " " + b + " " + thief2 + "\n");
        FixtureTree.Run run = tree.run("-l");
        assertEquals(1, run.status());
        assertEquals("postmulti: error: instance " + thief + " skipped: instance " + thief + ", queue_directory="
                + tree.spool("postfix-a") + " conflicts with instance " + a + ", queue_directory=" + tree.spool("postfix-a") + "\n"
                + "postmulti: error: instance " + thief2 + " skipped: instance " + thief2 + ", data_directory="
                + tree.lib("postfix-a") + " conflicts with instance " + a + ", data_directory=" + tree.lib("postfix-a") + "\n", run.err());
        assertEquals(line("-", "-", "y", tree.primary.toString()) + line("postfix-a", "-", "y", a) + line("postfix-b", "-", "y", b), run.out());
    }

    /** The lines for healthy instances are the C program's, byte for byte: compared with its -l on the tree without the damaged ones. */
    @Test
    void healthyLinesAreTheRealProgramsBytes() {
        fixture = Fixture.create("");
        Path a = fixture.secondary("postfix-a", "postfix-a", "mta", true);
        Path z = fixture.secondary("nameless", null, null, false);
        Path broken = fixture.secondary("broken", "queue_directory = ${x\n");
        fixture.writePrimary("multi_instance_enable = yes\nmulti_instance_directories = " + a + " " + broken + " " + z + "\n");
        Tool.Result ours = fixture.ours("-l");
        assertEquals(1, ours.status());
        Tool.Result oursJson = fixture.ours("-l", "-j", "-R");
        fixture.writePrimary("multi_instance_enable = yes\nmulti_instance_directories = " + a + " " + z + "\n");
        Tool.Result healthy = fixture.ours("-l");
        assertEquals(0, healthy.status(), healthy.err());
        assertEquals(healthy.out(), ours.out());
        assertEquals(fixture.ours("-l", "-j", "-R").out(), oursJson.out());
        if (RealPostmulti.canCompare()) {
            Tool.Result real = fixture.real("-l");
            assertEquals(0, real.status(), real.err());
            assertEquals(real.out(), ours.out().replace(fixture.primary + "\n", "/etc/postfix\n"));
        }
    }
}
