import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile input, tried: each case must end in one clear refusal, our own
 * {@code postmulti: fatal: ...} line and no stack trace, and leave the tree byte for byte as it
 * was (entries, modes, owners, contents, the lock file included). The tree holds an initialized
 * primary and two instances, postfix-a and postfix-b, made with our tool.
 */
class HostileInputTest {
    private FixtureTree tree;

    @BeforeEach
    void tree() {
        tree = FixtureTree.initialized("");
        for (String name : List.of("postfix-a", "postfix-b")) assertEquals(0, tree.run("-I", name, "-e", "create").status());
    }

    @AfterEach
    void remove() {
        tree.close();
    }

    /** One hostile command line and the refusal it must get. */
    private record Case(String fatal, String... args) {
    }

    private static Case refused(String fatal, String... args) {
        return new Case(fatal, args);
    }

    private void assertRefused(Case hostile) {
        Map<String, String> before = tree.snapshot();
        FixtureTree.Run run = tree.run(hostile.args());
        String what = String.join(" ", hostile.args()).replace("\n", "\\n").replace("\0", "\\0");
        assertEquals(1, run.status(), what + ": " + run.both());
        assertEquals("", run.out(), what);
        assertEquals("postmulti: fatal: " + hostile.fatal() + "\n", run.err(), what);
        assertEquals(before, tree.snapshot(), what + ": the tree is unchanged");
    }

    @Test
    void namesAndGroups() {
        List<Case> cases = List.of(
                refused("New instance name must start with 'postfix-'", "-I", "..", "-e", "create"),
                refused("Illegal '/' character in new instance name: 'postfix-../../tmp/x'", "-I", "postfix-../../tmp/x", "-e", "create"),
                refused("Illegal '/' character in new instance name: '/etc/postfix-x'", "-I", "/etc/postfix-x", "-e", "create"),
                refused("Illegal '/' character in new instance name: 'postfix-x/..'", "-i", "a", "-I", "postfix-x/..", "-e", "assign"),
                refused("Unsafe characters in new instance name: 'postfix-x;touch /tmp/pwned'", "-I", "postfix-x;touch /tmp/pwned", "-e", "create"),
                refused("Unsafe characters in new instance name: 'postfix-$(id)'", "-I", "postfix-$(id)", "-e", "create"),
                refused("Unsafe characters in new instance name: 'postfix-`id`'", "-I", "postfix-`id`", "-e", "create"),
                refused("Unsafe characters in new instance name: 'postfix-x?multi_instance_enable=yes'",
                        "-I", "postfix-x\nmulti_instance_enable=yes", "-e", "create"),
                refused("Unsafe characters in new instance name: 'postfix-x?y'", "-I", "postfix-x\0y", "-e", "create"),
                refused("Unsafe characters in '-G g;rm -rf /'", "-I", "postfix-x", "-G", "g;rm -rf /", "-e", "create"),
                refused("Unsafe characters in '-G g|x'", "-i", "a", "-G", "g|x", "-e", "assign"),
                refused("Unsafe characters in '-G g?x'", "-i", "a", "-G", "g\nx", "-e", "assign"),
                refused("Unsafe characters in '-G g?x'", "-i", "a", "-G", "g\0x", "-e", "assign"),
                refused("No instance named ../postfix-a", "-i", "../postfix-a", "-e", "enable"),
                refused("No instance named " + tree.etc("postfix-a") + "/../postfix-b", "-i", tree.etc("postfix-a") + "/../postfix-b", "-e", "destroy"),
                refused("No instance named a;rm -rf /", "-i", "a;rm -rf /", "-e", "destroy"),
                refused("No instance named a?b", "-i", "a\nb", "-e", "disable"),
                refused("No instance named a?b", "-i", "a\0b", "-e", "deport"));
        cases.forEach(this::assertRefused);
    }

    @Test
    void parameterSettings() {
        List<Case> cases = List.of(
                refused("Parameter setting 'config_directory' has a '..' component: '/etc/../tmp/x'",
                        "-I", "postfix-x", "-e", "create", "config_directory=/etc/../tmp/x"),
                refused("Parameter setting 'queue_directory' has a '..' component: '" + tree.spool("postfix-x") + "/..'",
                        "-I", "postfix-x", "-e", "create", "queue_directory=" + tree.spool("postfix-x") + "/../"),
                refused("Parameter setting 'config_directory' has a '..' component: '" + tree.etc("..") + "'",
                        "-e", "import", "config_directory=" + tree.etc("..")),
                refused("Unsafe characters in parameter setting 'queue_directory=/var/spool/a b'",
                        "-I", "postfix-x", "-e", "create", "queue_directory=/var/spool/a b"),
                refused("Unsafe characters in parameter setting 'config_directory=/etc/x,/etc/y'",
                        "-I", "postfix-x", "-e", "create", "config_directory=/etc/x,/etc/y"),
                refused("Unsafe characters in parameter setting 'data_directory=/x$(id)'",
                        "-I", "postfix-x", "-e", "create", "data_directory=/x$(id)"),
                refused("Unsafe characters in parameter setting 'config_directory=/x?multi_instance_enable=yes'",
                        "-I", "postfix-x", "-e", "create", "config_directory=/x\nmulti_instance_enable=yes"),
                refused("Unsafe characters in parameter setting 'config_directory=/x?y'",
                        "-I", "postfix-x", "-e", "create", "config_directory=/x\0y"),
                refused("Parameter '../x' not valid with action create", "-I", "postfix-x", "-e", "create", "../x=/y"),
                refused("Parameter 'x;id' not valid with action create", "-I", "postfix-x", "-e", "create", "x;id=/y"),
                refused("Parameter setting 'config_directory' is not an absolute path",
                        "-I", "postfix-x", "-e", "create", "config_directory=../../etc"),
                refused("Malformed parameter setting '=/x'", "-I", "postfix-x", "-e", "create", "=/x"));
        cases.forEach(this::assertRefused);
    }

    /** A disabled instance whose queue or data directory is a link into another instance's: destroy refuses. */
    @Test
    void destroyThroughLinksIntoOtherInstances() throws IOException {
        replaceWithLink(Path.of(tree.spool("postfix-b")), Path.of(tree.spool("postfix-a")));
        assertRefused(refused("Cannot destroy instance postfix-b: queue_directory=" + tree.spool("postfix-b")
                + " leads through a symbolic link into instance postfix-a, queue_directory=" + tree.spool("postfix-a"),
                "-i", "postfix-b", "-e", "destroy"));
        assertTrue(Files.isDirectory(Path.of(tree.spool("postfix-a"), "active")), "postfix-a's queue is whole");

        replaceWithLink(Path.of(tree.spool("postfix-b")), Path.of(tree.spool("postfix-b-own")));
        Files.createDirectories(Path.of(tree.spool("postfix-b-own")));
        replaceWithLink(Path.of(tree.lib("postfix-b")), Path.of(tree.lib("postfix")));
        assertRefused(refused("Cannot destroy instance postfix-b: data_directory=" + tree.lib("postfix-b")
                + " leads through a symbolic link into instance " + tree.primary + ", data_directory=" + tree.lib("postfix"),
                "-i", "postfix-b", "-e", "destroy"));

        Files.delete(Path.of(tree.lib("postfix-b")));
        Files.createDirectories(Path.of(tree.lib("postfix-b")));
        Path inside = Path.of(tree.spool("postfix-a"), "maildrop");
        replaceWithLink(Path.of(tree.spool("postfix-b")), inside);
        assertRefused(refused("Cannot destroy instance postfix-b: queue_directory=" + tree.spool("postfix-b")
                + " leads through a symbolic link into instance postfix-a, queue_directory=" + tree.spool("postfix-a"),
                "-i", "postfix-b", "-e", "destroy"));
        assertTrue(Files.isDirectory(inside), "postfix-a's maildrop stays");
    }

    private static void replaceWithLink(Path path, Path target) throws IOException {
        if (Files.isSymbolicLink(path)) Files.delete(path);
        else assertEquals(0, Tool.exec(List.of("rm", "-rf", path.toString()), Map.of(), null).status());
        Files.createSymbolicLink(path, target);
    }

    @Test
    void billionLaughs() {
        String laughs = DamagedSecondaryTest.billionLaughs();
        TestFiles.write(Path.of(tree.etc("postfix-b"), "main.cf"),
                TestFiles.read(Path.of(tree.etc("postfix-b"), "main.cf")) + laughs);
        Map<String, String> before = tree.snapshot();
        long start = System.nanoTime();
        FixtureTree.Run run = tree.run("-i", "postfix-a", "-e", "enable");
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "ends quickly");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("\npostmulti: warning: " + tree.etc("postfix-b") + "/main.cf, line "), run.err());
        assertTrue(run.err().endsWith("postmulti: fatal: Failed to obtain all required " + tree.etc("postfix-b") + "/main.cf parameters\n"), run.err());
        assertEquals(before, tree.snapshot());

        tree.appendPrimary(laughs.replace("queue_directory", "data_directory").replace("l", "m"));
        before = tree.snapshot();
        run = tree.run("-I", "postfix-c", "-e", "create");
        assertEquals(1, run.status());
        // The appended data_directory overrides the tree's, which is warned about first, as by the C program.
        assertTrue(run.err().matches("postmulti: warning: [^\n]*: overriding earlier entry: data_directory=[^\n]*\n"
                + "postmulti: warning: expansion takes too much work \\(runaway \\$name references\\?\\)\n"
                + "postmulti: fatal: dictionary mail_dict: macro processing error\n"), run.err());
        assertEquals(before, tree.snapshot());
    }

    /** A 10 MB main.cf, as the primary's and as a secondary's, in a JVM with the launcher's 64 MB heap. */
    @Test
    void tenMegabyteMainCf() throws IOException {
        Path secondary = Path.of(tree.etc("postfix-b"), "main.cf");
        pad(secondary, 10 << 20);
        Map<String, String> before = tree.snapshot();
        Tool.Result run = smallHeap("-i", "postfix-a", "-e", "enable");
        assertEquals(1, run.status());
        assertEquals("postmulti: warning: " + secondary + ": file too large (more than " + MainCf.MAX_BYTES + " bytes)\n"
                + "postmulti: fatal: Failed to obtain all required " + tree.etc("postfix-b") + "/main.cf parameters\n", run.err());
        Tool.Result list = smallHeap("-l");
        assertEquals(1, list.status());
        assertEquals(2, list.out().lines().count(), "the primary and postfix-a are listed");
        assertEquals(before, tree.snapshot());

        Path primary = tree.primary.resolve("main.cf");
        pad(primary, 10 << 20);
        before = tree.snapshot();
        run = smallHeap("-I", "postfix-c", "-e", "create");
        assertEquals("postmulti: fatal: " + primary + ": file too large (more than " + MainCf.MAX_BYTES + " bytes)\n", run.err());
        assertEquals(before, tree.snapshot());
    }

    /** Just under the limit still works in 64 MB: listed, and edited by a create. */
    @Test
    void aMainCfJustUnderTheLimitWorks() throws IOException {
        pad(tree.primary.resolve("main.cf"), MainCf.MAX_BYTES - 4096);
        Tool.Result list = smallHeap("-l");
        assertEquals(0, list.status(), list.err());
        Tool.Result create = smallHeap("-I", "postfix-c", "-e", "create");
        assertEquals(0, create.status(), create.err());
        assertTrue(FixtureTree.setting(tree.primaryMainCf(), "multi_instance_directories").endsWith(tree.etc("postfix-c")));
    }

    /** Appends harmless settings (and a comment line) until the file has about {@code size} bytes. */
    private static void pad(Path file, int size) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 1 << 16; i++) text.append("padding_").append(i).append(" = some harmless value\n# comment\n");
        byte[] block = text.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.seek(out.length());
            while (out.length() + block.length <= size) out.write(block);
        }
    }

    private Tool.Result smallHeap(String... args) {
        List<String> command = new ArrayList<>(Tool.command(tree.withPrimary(args)));
        command.add(1, "-Xmx64m");
        Map<String, String> environment = new java.util.HashMap<>();
        environment.put("MAIL_CONFIG", null);
        return Tool.exec(command, environment, null);
    }
}
