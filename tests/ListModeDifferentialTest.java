import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code -l} on real trees, compared with the expected columns and with the real postmulti. Our
 * tool runs in this JVM (where a pipe is not needed), quicker and seen by bench/mutation.sh.
 */
@ExtendWith(ComparedWithReal.class)
class ListModeDifferentialTest {
    private Fixture fixture;

    @BeforeEach
    void tree() {
        fixture = Fixture.create("");
    }

    @AfterEach
    void removeTree() {
        fixture.close();
    }

    @Test
    void singleInstanceModeListsTheEnabledPrimary() {
        fixture.writePrimary("multi_instance_enable = no\n");
        assertList(line("-", "-", "y", "/etc/postfix"), "-l");
    }

    @Test
    void secondariesInStartOrderWithNamesGroupsAndFlags() {
        border();
        String all = line("-", "-", "y", "/etc/postfix")
                + line("postfix-out", "mta", "y", dir("postfix-out"))
                + line("postfix-in", "mta", "n", dir("postfix-in"))
                + line("-", "-", "y", dir("nameless"));
        assertList(all, "-l");
        assertList(all, "-la");
    }

    @Test
    void reverseOrder() {
        border();
        assertList(line("-", "-", "y", dir("nameless"))
                + line("postfix-in", "mta", "n", dir("postfix-in"))
                + line("postfix-out", "mta", "y", dir("postfix-out"))
                + line("-", "-", "y", "/etc/postfix"), "-l", "-R");
    }

    @Test
    void selections() {
        border();
        String out = line("postfix-out", "mta", "y", dir("postfix-out"));
        String in = line("postfix-in", "mta", "n", dir("postfix-in"));
        assertList(out, "-l", "-i", "postfix-out");
        assertList(out, "-l", "-i", "out");
        assertList(out, "-l", "-i", dir("postfix-out"));
        assertList(out + in, "-l", "-g", "mta");
        assertList(line("-", "-", "y", "/etc/postfix"), "-l", "-i", "-");
        assertList(line("-", "-", "y", dir("nameless")), "-l", "-i", dir("nameless"));
        assertList("", "-l", "-i", "nosuch");
        assertList("", "-l", "-g", "nosuch");
    }

    @Test
    void listSeparatorsAndContinuationLines() {
        fixture.secondary("postfix-a", "postfix-a", null, true);
        fixture.secondary("postfix-b", "postfix-b", "g", false);
        fixture.writePrimary("multi_instance_enable = yes\nmulti_instance_directories = ,, " + dir("postfix-a")
                + " ,\n\t" + dir("postfix-b") + ",\n");
        assertList(line("-", "-", "y", "/etc/postfix")
                + line("postfix-a", "-", "y", dir("postfix-a"))
                + line("postfix-b", "g", "n", dir("postfix-b")), "-l");
    }

    @Test
    void enableFlagIsCaseInsensitiveAndExpanded() {
        fixture.secondary("postfix-a", "queue_directory = " + fixture.root.resolve("q") + "\n"
                + "data_directory = " + fixture.root.resolve("d") + "\nflag = YeS\nmulti_instance_enable = $flag\n"
                + "multi_instance_name = postfix-${flag}\n");
        fixture.writePrimary("multi_instance_enable = No\nmulti_instance_directories = " + dir("postfix-a") + "\n");
        assertList(line("-", "-", "n", "/etc/postfix") + line("postfix-YeS", "-", "y", dir("postfix-a")), "-l");
    }

    /**
     * Where the real program stops at a damaged secondary, our -l skips it with an error line
     * (exit status 1) and lists the rest; -e (here a dry run, which changes nothing) stops at it
     * with the real program's words.
     */
    @Test
    void damagedSecondaries() {
        fixture.secondary("postfix-a", "queue_directory = " + fixture.root.resolve("var/spool/postfix") + "\n"
                + "data_directory = " + fixture.root.resolve("d") + "\n");
        fixture.writePrimary("multi_instance_directories = " + dir("postfix-a") + "\n");
        assertDamaged(dir("postfix-a"), "instance " + dir("postfix-a") + ", queue_directory=" + fixture.root.resolve("var/spool/postfix")
                + " conflicts with instance /etc/postfix, queue_directory=" + fixture.root.resolve("var/spool/postfix"), "");

        fixture.secondary("postfix-a", "queue_directory = /q1\ndata_directory = /d1\nmulti_instance_enable = maybe\n");
        assertDamaged(dir("postfix-a"), "Unexpected " + dir("postfix-a") + "/main.cf entry: multi_instance_enable = maybe", "");

        fixture.secondary("postfix-a", "queue_directory = /q1\ndata_directory = /d1\nmulti_instance_name = postfix-x\n");
        fixture.secondary("postfix-b", "queue_directory = /q2\ndata_directory = /d2\nmulti_instance_name = postfix-x\n");
        fixture.writePrimary("multi_instance_directories = " + dir("postfix-a") + " " + dir("postfix-b") + "\n");
        assertDamaged(dir("postfix-b"), "instance " + dir("postfix-b") + ", multi_instance_name=postfix-x conflicts with instance "
                + dir("postfix-a") + ", multi_instance_name=postfix-x", line("postfix-x", "-", "n", dir("postfix-a")));
    }

    @Test
    void missingSecondaryMainCf() {
        fixture.writePrimary("multi_instance_directories = " + dir("postfix-gone") + "\n");
        Tool.Result ours = fixture.inProcess("-l");
        assertEquals(1, ours.status());
        assertEquals(line("-", "-", "n", fixture.primary.toString()), ours.out());
        assertEquals("postmulti: error: instance " + dir("postfix-gone") + " skipped: open " + dir("postfix-gone")
                + "/main.cf: No such file or directory\n", ours.err());
        Tool.Result strict = fixture.inProcess("-n", "-i", "-", "-e", "enable");
        assertEquals(1, strict.status());
        assertEquals(true, strict.err().endsWith("postmulti: fatal: Failed to obtain all required "
                + dir("postfix-gone") + "/main.cf parameters\n"), strict.err());
        if (RealPostmulti.canCompare()) {
            Tool.Result real = fixture.real("-l");
            assertEquals(real.status(), ours.status());
            assertEquals(true, real.err().endsWith("postmulti: fatal: Failed to obtain all required "
                    + dir("postfix-gone") + "/main.cf parameters\n"), real.err());
        }
    }

    @Test
    void missingSharedDirectoryIsFatal() {
        fixture.writePrimary("daemon_directory = " + fixture.root.resolve("nowhere") + "\n");
        assertFatal("daemon_directory = '" + fixture.root.resolve("nowhere") + "': directory not found: No such file or directory");
        fixture.writePrimary("shlib_directory = " + fixture.primary.resolve("main.cf") + "\n");
        assertFatal("shlib_directory = '" + fixture.primary.resolve("main.cf") + "' is not a directory");
    }

    /**
     * The listing reaches the pipe in one write, as the C program's does: a reader that takes
     * only the first line is no error. A reader gone before we write ends us without a word and
     * with the status a shell shows for the C program, which SIGPIPE kills.
     */
    @Test
    void aReaderThatStopsEarly() throws java.io.IOException {
        border();
        Tool.Result head = oursPipedInto("head -1", "-l");
        assertEquals(0, head.status(), head.err());
        assertEquals("", head.err());
        Tool.Result gone = oursPipedInto("true", "-l");
        assertEquals(141, gone.status(), gone.err());
        assertEquals("", gone.err());
        if (RealPostmulti.canCompare()) {
            assertEquals(head, RealPostmulti.runPipedInto(fixture.primary, "head -1", "-l"));
            assertEquals(gone, RealPostmulti.runPipedInto(fixture.primary, "true", "-l"));
        }
    }

    /** Our exit status (as the shell reports it) and stderr, our stdout piped into {@code consumer}. */
    private Tool.Result oursPipedInto(String consumer, String... args) throws java.io.IOException {
        java.nio.file.Path status = java.nio.file.Files.createTempFile("ours-status", ".txt");
        try {
            String[] all = new String[args.length + 2];
            all[0] = "-c";
            all[1] = fixture.primary.toString();
            System.arraycopy(args, 0, all, 2, args.length);
            String command = "{ " + RealPostmulti.quoteAll(Tool.command(all)) + "; echo $? >" + RealPostmulti.quote(status.toString())
                    + "; } | " + consumer + " >/dev/null";
            Tool.Result raw = Tool.exec(java.util.List.of("sh", "-c", command), java.util.Map.of(), null);
            return new Tool.Result(Integer.parseInt(java.nio.file.Files.readString(status).strip()), "", raw.err());
        } finally {
            java.nio.file.Files.deleteIfExists(status);
        }
    }

    private void border() {
        fixture.secondary("postfix-out", "postfix-out", "mta", true);
        fixture.secondary("postfix-in", "postfix-in", "mta", false);
        fixture.secondary("nameless", null, null, true);
        fixture.writePrimary("multi_instance_enable = yes\nmulti_instance_directories = "
                + dir("postfix-out") + " " + dir("postfix-in") + " " + dir("nameless") + "\n");
    }

    private String dir(String name) {
        return fixture.root.resolve("etc").resolve(name).toString();
    }

    private static String line(String name, String group, String enabled, String dir) {
        return String.format("%-15s %-15s %-9s %s\n", name, group, enabled, dir);
    }

    /** Expected output with the primary shown as /etc/postfix, as the real program sees it. */
    private void assertList(String expected, String... args) {
        Tool.Result ours = fixture.inProcess(args);
        assertEquals(0, ours.status(), ours.err());
        assertEquals("", ours.err());
        assertEquals(expected, ours.out().replace(fixture.primary.toString() + " ", "/etc/postfix ")
                .replace(" " + fixture.primary + "\n", " /etc/postfix\n"));
        if (RealPostmulti.canCompare()) {
            Tool.Result real = fixture.real(args);
            assertEquals(0, real.status(), real.err());
            assertEquals(expected, real.out());
        }
    }

    /** The real program's fatal error is our -l's error line for the skipped instance, and our -e's fatal error. */
    private void assertDamaged(String directory, String text, String healthySecondaries) {
        Tool.Result ours = fixture.inProcess("-l");
        assertEquals(1, ours.status());
        assertEquals("postmulti: error: instance " + directory + " skipped: " + text + "\n",
                ours.err().replace(fixture.primary + ",", "/etc/postfix,"));
        assertEquals(line("-", "-", "n", fixture.primary.toString()) + healthySecondaries, ours.out());
        Tool.Result strict = fixture.inProcess("-n", "-i", "-", "-e", "enable");
        assertEquals(1, strict.status());
        assertEquals("postmulti: fatal: " + text + "\n", strict.err().replace(fixture.primary + ",", "/etc/postfix,"));
        if (RealPostmulti.canCompare()) {
            Tool.Result real = fixture.real("-l");
            assertEquals(1, real.status());
            assertEquals("postmulti: fatal: " + text + "\n", real.err());
        }
    }

    private void assertFatal(String text) {
        Tool.Result ours = fixture.inProcess("-l");
        assertEquals(1, ours.status());
        assertEquals("postmulti: fatal: " + text + "\n", ours.err().replace(fixture.primary + ",", "/etc/postfix,"));
        if (RealPostmulti.canCompare()) {
            Tool.Result real = fixture.real("-l");
            assertEquals(1, real.status());
            assertEquals("postmulti: fatal: " + text + "\n", real.err());
        }
    }
}
