import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pieces of life-cycle mode on their own: path derivation, the shell's list splitting, the dry run's diff. */
class LifecyclePartsTest {

    @Test
    void privatePathReplacesTheLastComponent() {
        assertEquals("/etc/postfix-out", NewInstance.privatePath("config_directory", "/etc/postfix", "postfix-out"));
        assertEquals("/var/spool/postfix-out", NewInstance.privatePath("queue_directory", "/var/spool/postfix", "postfix-out"));
        assertEquals("/a/postfix-x", NewInstance.privatePath("x", "/a//b", "postfix-x"));
        assertEquals("/a/postfix-x", NewInstance.privatePath("x", "/a/b//", "postfix-x"));
        assertEquals("/a/postfix-x", NewInstance.privatePath("x", "/a/b///", "postfix-x"));
    }

    @Test
    void privatePathKeepsTheCProgramsQuirks() {
        // One trailing slash: only the slash goes, the last component stays.
        assertEquals("/var/spool/postfix/postfix-x", NewInstance.privatePath("x", "/var/spool/postfix/", "postfix-x"));
        // A single component is kept whole.
        assertEquals("/postfix/postfix-x", NewInstance.privatePath("x", "/postfix", "postfix-x"));
        assertEquals("/postfix-x", NewInstance.privatePath("x", "/", "postfix-x"));
        assertEquals("/postfix-x", NewInstance.privatePath("x", "//", "postfix-x"));
        assertEquals("/postfix-x", NewInstance.privatePath("x", "///", "postfix-x"));
        assertEquals("/postfix-x", NewInstance.privatePath("x", "//x", "postfix-x"));
    }

    @Test
    void privatePathRefusals() {
        assertEquals("Missing queue_directory parameter value",
                assertThrows(Fatal.class, () -> NewInstance.privatePath("queue_directory", "/q", null)).getMessage());
        assertEquals("Missing queue_directory parameter value",
                assertThrows(Fatal.class, () -> NewInstance.privatePath("queue_directory", "/q", "")).getMessage());
        assertEquals("Invalid default data_directory parameter value: 'lib': specify an absolute pathname",
                assertThrows(Fatal.class, () -> NewInstance.privatePath("data_directory", "lib", "postfix-a")).getMessage());
    }

    @Test
    void shellFieldsSplitLikeTheHelperScript() throws Exception {
        List<String> inputs = List.of("", "   ", "a", " a  b ", "a,b", "a, b", "a ,b", "a,,b", ",a", "a,", "a,,", ",,",
                " , a , , b , ", "a\tb\nc", "/etc/a, /etc/b  /etc/c,,/etc/b", ",", " ,", ", ");
        for (String input : inputs) {
            assertEquals(dashFields(input), Lifecycle.shellFields(input), "[" + input + "]");
        }
    }

    /** What /bin/sh makes of {@code IFS="$IFS,"; set -- $alt} (with globbing off: we do not glob). */
    private static List<String> dashFields(String input) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")));
        Process process = new ProcessBuilder("/bin/sh", "-c",
                "set -f; IFS=\"$IFS,\"; set -- $0; for f in \"$@\"; do printf '[%s]\\n' \"$f\"; done", input).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        process.waitFor();
        List<String> fields = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) fields.add(line.substring(1, line.length() - 1));
        }
        return fields;
    }

    @Test
    void diffOfEqualFilesIsEmpty() {
        assertEquals("", UnifiedDiff.diff("/x", "a\nb\n", "a\nb\n"));
    }

    @Test
    void diffShapes() {
        assertEquals("--- /dev/null\n+++ b/etc/x\n@@ -0,0 +1,2 @@\n+a\n+b\n", UnifiedDiff.diff("/etc/x", null, "a\nb\n"));
        assertEquals("--- a/etc/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n", UnifiedDiff.diff("/etc/x", "a\n", null));
        assertEquals("--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n a\n+b\n\\ No newline at end of file\n", UnifiedDiff.diff("/x", "a\n", "a\nb"));
        assertEquals("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n", UnifiedDiff.diff("/x", "a", "a\n"));
        assertEquals("--- /dev/null\n+++ b/x\n", UnifiedDiff.diff("/x", null, ""));
        assertEquals("--- a/p\n+++ b/x\n@@ -2 +2 @@\n-b\n+B\n@@ -4,0 +5 @@\n+e\n",
                UnifiedDiff.diff("/p", "/x", "a\nb\nc\nd\n", "a\nB\nc\nd\ne\n", 0), "without context, as diff -U0");
    }

    /** Random edits of random files: GNU patch applies our diff (with context, and without) at its line numbers and gets the new file. */
    @Test
    void patchAppliesOurDiffs() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/patch")), "GNU patch not installed");
        Random random = new Random(42);
        Path dir = Files.createTempDirectory("diff-test");
        try {
            for (int round = 0; round < 200; round++) {
                String before = randomFile(random, random.nextInt(40));
                String after = mutate(random, before);
                Path file = dir.resolve("f");
                Files.writeString(file, before, StandardCharsets.ISO_8859_1);
                String diff = UnifiedDiff.diff("/f", "/f", before, after, round % 2 == 0 ? UnifiedDiff.CONTEXT : 0);
                if (diff.isEmpty()) {
                    assertEquals(before, after);
                    continue;
                }
                Path patchFile = dir.resolve("d");
                Files.writeString(patchFile, diff, StandardCharsets.ISO_8859_1);
                // -F0 and no "offset": every hunk applies exactly where its line numbers say.
                Tool.Result result = Tool.exec(List.of("patch", "-F0", "-p1", "-d", dir.toString(), "-i", patchFile.toString()),
                        Map.of(), null);
                assertEquals(0, result.status(), diff + result.both());
                assertFalse(result.both().contains("offset") || result.both().contains("fuzz"), diff + result.both());
                assertEquals(after, Files.readString(file, StandardCharsets.ISO_8859_1), diff);
            }
        } finally {
            Tool.exec(List.of("rm", "-rf", dir.toString()), Map.of(), null);
        }
    }

    /**
     * Each diff is a shortest one: as many lines removed and added as the files have beyond their
     * longest common subsequence of lines (blank lines and a missing last newline included).
     */
    @Test
    void diffsAreMinimal() {
        Random random = new Random(7);
        List<String> repeats = List.of("x\n", "x\nx\n", "x\nx\nx\n", "\n", "\n\n", "x\nx", "x");
        for (int round = 0; round < 600; round++) {
            String before = round < 49 ? repeats.get(round / 7) : fewDistinctLines(random);
            String after = round < 49 ? repeats.get(round % 7) : random.nextBoolean() ? fewDistinctLines(random) : mutate(random, before);
            List<String> a = diffLines(before);
            List<String> b = diffLines(after);
            int changed = a.size() + b.size() - 2 * longestCommonSubsequence(a, b);
            for (int context : new int[] {0, UnifiedDiff.CONTEXT}) {
                String diff = UnifiedDiff.diff("/f", "/f", before, after, context);
                long shown = diff.lines().skip(2).filter(line -> line.startsWith("-") || line.startsWith("+")).count();
                assertEquals(changed, shown, before + "|" + after + "\n" + diff);
            }
            // With more context than lines, the one hunk is both files: its ' ' and '-' lines the old, ' ' and '+' the new.
            List<String> whole = UnifiedDiff.diff("/f", "/f", before, after, 100).lines().skip(3).toList();
            if (!before.equals(after)) {
                assertEquals(a, side(whole, '-'), before + "|" + after);
                assertEquals(b, side(whole, '+'), before + "|" + after);
            }
        }
    }

    /** Hunks whose contexts meet (2 * CONTEXT equal lines between them) are one hunk, as diff -u makes them. */
    @Test
    void hunksJoinAsDiffJoinsThem() {
        String before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        assertEquals("--- a/f\n+++ b/f\n@@ -1,10 +1,10 @@\n-1\n+x\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+y\n 9\n 10\n",
                UnifiedDiff.diff("/f", before, "x\n2\n3\n4\n5\n6\n7\ny\n9\n10\n"));
        assertEquals("--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n@@ -6,5 +6,5 @@\n 6\n 7\n 8\n-9\n+y\n 10\n",
                UnifiedDiff.diff("/f", before, "x\n2\n3\n4\n5\n6\n7\n8\ny\n10\n"));
        assertEquals("--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+\n", UnifiedDiff.diff("/f", "", "\n"));
        assertEquals("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n \n-a\n+b\n", UnifiedDiff.diff("/f", "\na\n", "\nb\n"));
    }

    private static String fewDistinctLines(Random random) {
        StringBuilder text = new StringBuilder();
        int lines = random.nextInt(12);
        for (int i = 0; i < lines; i++) text.append(List.of("", "a", "b", "c").get(random.nextInt(4))).append('\n');
        if (text.length() > 0 && random.nextInt(4) == 0) text.setLength(text.length() - 1);
        return text.toString();
    }

    /** A file's lines, the last one marked when it lacks its newline (it then differs from the same text with one). */
    private static List<String> diffLines(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        String last = lines.remove(lines.size() - 1);
        if (!last.isEmpty()) lines.add(last + "\\ no newline");
        return lines;
    }

    /** The lines of one side of a unified diff hunk, in diffLines' spelling. */
    private static List<String> side(List<String> hunk, char mark) {
        List<String> lines = new ArrayList<>();
        boolean previousOnThisSide = false;
        for (String line : hunk) {
            if (line.startsWith("\\")) {
                if (previousOnThisSide) lines.add(lines.remove(lines.size() - 1) + "\\ no newline");
                continue;
            }
            previousOnThisSide = line.charAt(0) == ' ' || line.charAt(0) == mark;
            if (previousOnThisSide) lines.add(line.substring(1));
        }
        return lines;
    }

    private static int longestCommonSubsequence(List<String> a, List<String> b) {
        int[][] length = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--)
            for (int j = b.size() - 1; j >= 0; j--)
                length[i][j] = a.get(i).equals(b.get(j)) ? length[i + 1][j + 1] + 1 : Math.max(length[i + 1][j], length[i][j + 1]);
        return length[0][0];
    }

    @Test
    void bigRewritesStayBounded() {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 6000; i++) {
            a.append("a").append(i).append('\n');
            b.append("b").append(i).append('\n');
        }
        String diff = UnifiedDiff.diff("/x", a.toString(), b.toString());
        assertTrue(diff.startsWith("--- a/x\n+++ b/x\n@@ -1,6000 +1,6000 @@\n-a0\n"), diff.substring(0, 60));
    }

    private static String randomFile(Random random, int lines) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines; i++) text.append("line ").append(random.nextInt(8)).append('\n');
        return text.toString();
    }

    private static String mutate(Random random, String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        lines.remove(lines.size() - 1);
        int edits = random.nextInt(6);
        for (int i = 0; i < edits; i++) {
            int at = lines.isEmpty() ? 0 : random.nextInt(lines.size());
            switch (random.nextInt(3)) {
                case 0 -> lines.add(at, "new " + random.nextInt(100));
                case 1 -> { if (!lines.isEmpty()) lines.remove(at); }
                default -> { if (!lines.isEmpty()) lines.set(at, "changed " + random.nextInt(100)); }
            }
        }
        String result = lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
        if (!result.isEmpty() && random.nextInt(5) == 0) result = result.substring(0, result.length() - 1);
        return result;
    }

    /**
     * An edit by another program (an admin's postconf -e, which does not take our lock) between
     * planning and commit: the commit stops before overwriting it and undoes what it had done.
     */
    @Test
    void aConcurrentEditIsNeitherOverwrittenNorHalfApplied() throws IOException {
        Path dir = Files.createTempDirectory("plan-test").toRealPath();
        try {
            Host host = Host.live();
            Path main = dir.resolve("main.cf");
            Files.writeString(main, "a = 1\n");
            ChangePlan plan = new ChangePlan(host);
            plan.makeDirectories(dir + "/new/sub", 0755);
            plan.install(dir + "/new/sub/.tmp", List.of(new ChangePlan.NewFile(dir + "/new/sub/f", "x\n".getBytes(), 0644, null)));
            plan.edit(main.toString(), "a = 1\n".getBytes(), "a = 2\n".getBytes());
            Files.writeString(main, "a = 1\nadmin = edit\n");
            try (ConfigLock lock = ConfigLock.exclusive(host, dir.toString())) {
                Fatal failure = assertThrows(Fatal.class, () -> plan.commit(lock));
                assertTrue(failure.getMessage().contains("was changed by another program"), failure.getMessage());
            }
            assertEquals("a = 1\nadmin = edit\n", Files.readString(main));
            assertTrue(Files.notExists(dir.resolve("new")), "the new directories and file are undone");
        } finally {
            Tool.exec(List.of("rm", "-rf", dir.toString()), Map.of(), null);
        }
    }

    @Test
    void parentOfAPath() {
        assertEquals("/", ChangePlan.parent("/etc"));
        assertEquals("/etc", ChangePlan.parent("/etc/postfix"));
        assertEquals("0755", ChangePlan.octal(0755));
    }

    @Test
    void nameChecks() {
        new NameAssignment("postfix-a", "g").check();
        // Every ASCII letter and digit and the safe punctuation, the ends of each range included.
        new NameAssignment("postfix-azAZ09!@%-_=+:.", "azAZ09!@%-_=+:./").check();
        for (String unsafe : List.of("`", "{", "[", "?", ">", "postfix-a b"))
            assertThrows(Fatal.class, () -> new NameAssignment(null, unsafe).check(), unsafe);
        new NameAssignment("", "").check();
        new NameAssignment(null, null).check();
        assertEquals("Unsafe characters in new instance name: 'postfix-\u00e9'",
                assertThrows(Fatal.class, () -> new NameAssignment("postfix-\u00e9", null).check()).getMessage());
        assertEquals("Unsafe characters in '-G \u00e9'",
                assertThrows(Fatal.class, () -> new NameAssignment(null, "\u00e9").check()).getMessage());
    }
}
