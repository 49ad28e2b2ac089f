import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** main.cf reading rules, each checked against postconf 3.7 by hand (see PostconfDifferentialTest for the machine check). */
class MainCfTest {
    @TempDir
    Path dir;

    private static MainCf parse(String text) {
        return MainCf.parse("/x/main.cf", text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void trimsAroundNameEqualsAndValue() {
        MainCf cf = parse("relayhost\t  = \t [mail.example]:25  \t\nmydomain=example.org\n");
        assertEquals("[mail.example]:25", cf.raw("relayhost"));
        assertEquals("example.org", cf.raw("mydomain"));
    }

    @Test
    void emptyValue() {
        MainCf cf = parse("relayhost =\nmydomain =   \n");
        assertEquals("", cf.raw("relayhost"));
        assertEquals("", cf.raw("mydomain"));
        assertTrue(cf.isSet("relayhost"));
    }

    @Test
    void continuationLinesAreJoinedAsTheyAre() {
        // postconf reports "overriding earlier entry: relayhost=2  x": newline dropped, leading blanks kept.
        MainCf cf = parse("a = x\n  y\n\tz\nb = 1\n");
        assertEquals("x  y\tz", cf.raw("a"));
        assertEquals("1", cf.raw("b"));
    }

    @Test
    void commentAndBlankLinesInsideAContinuationAreSkipped() {
        MainCf cf = parse("a = x\n# comment\n  y\n\n   \n  # indented comment\n  z\nb = 2\n");
        assertEquals("x  y  z", cf.raw("a"));
        assertEquals("2", cf.raw("b"));
    }

    @Test
    void textBeforeTheFirstLogicalLineThatStartsWithSpaceIsIgnoredWithAWarning() {
        MainCf cf = parse("  lead = 0\n   more\nb = 1\n");
        assertFalse(cf.isSet("lead"));
        assertEquals(Map.of("b", "1"), cf.rawValues());
        assertEquals(List.of("/x/main.cf: logical line must not start with whitespace: \"  lead = 0   more\""),
                cf.warnings());
    }

    @Test
    void longIgnoredTextIsClippedInTheWarning() {
        MainCf cf = parse(" " + "x".repeat(40) + "\n");
        assertEquals(List.of("/x/main.cf: logical line must not start with whitespace: \" " + "x".repeat(29) + "...\""),
                cf.warnings());
    }

    @Test
    void lineWithoutEqualsIsFatalNamingFileAndFirstLine() {
        Fatal e = assertThrows(Fatal.class, () -> parse("# c\n\nrelayhost = 1\n# x\n\njunk\n  more\n# y\n\n"));
        assertEquals("/x/main.cf, line 6: missing '=' after attribute name: \"junk  more\"", e.getMessage());
    }

    @Test
    void lineWithoutNameIsFatal() {
        Fatal e = assertThrows(Fatal.class, () -> parse("a = 1\n=2\n"));
        assertEquals("/x/main.cf, line 2: missing attribute name: \"=2\"", e.getMessage());
    }

    @Test
    void spaceInsideTheNameIsFatal() {
        Fatal e = assertThrows(Fatal.class, () -> parse("a b = 1\n"));
        assertEquals("/x/main.cf, line 1: missing '=' after attribute name: \"a b = 1\"", e.getMessage());
    }

    @Test
    void controlCharactersInMessagesShowAsQuestionMarks() {
        Fatal e = assertThrows(Fatal.class, () -> parse("a\tb\n"));
        assertEquals("/x/main.cf, line 1: missing '=' after attribute name: \"a?b\"", e.getMessage());
    }

    @Test
    void missingFinalNewlineChangesNothing() {
        MainCf cf = parse("a = 1\nb = 2");
        assertEquals("2", cf.raw("b"));
        Fatal e = assertThrows(Fatal.class, () -> parse("a = 1\njunk"));
        assertEquals("/x/main.cf, line 2: missing '=' after attribute name: \"junk\"", e.getMessage());
    }

    @Test
    void crlfLinesReadLikePlainOnes() {
        MainCf cf = parse("a = 1\r\nb = 2\r\n  3\r\n\r\nc\r = 4\r\n");
        assertEquals("1", cf.raw("a"));
        assertEquals("2\r  3", cf.raw("b"));
        assertEquals("4", cf.raw("c"));
    }

    @Test
    void laterDefinitionWinsAndIsReportedWhenValuesDiffer() {
        MainCf cf = parse("a = 1\nb = 0\na = 1\na = 2\n  x\n\na=3");
        assertEquals("3", cf.raw("a"));
        assertEquals(7, cf.definition("a").line());
        assertEquals(List.of("a", "b"), List.copyOf(cf.rawValues().keySet()));
        assertEquals(List.of("/x/main.cf, line 4: overriding earlier entry: a=1",
                "/x/main.cf, line 7: overriding earlier entry: a=2  x"), cf.warnings());
    }

    @Test
    void nulByteEndsTheLogicalLineText() {
        MainCf cf = parse("a = x\0y\n  more\nb = 2\n");
        assertEquals("x", cf.raw("a"));
        assertEquals("2", cf.raw("b"));
        Fatal e = assertThrows(Fatal.class, () -> parse("\0a = 1\n"));
        assertEquals("/x/main.cf, line 1: missing attribute name: \"\"", e.getMessage());
    }

    @Test
    void anyByteSurvivesInValues() {
        byte[] bytes = {'a', ' ', '=', ' ', (byte) 0xe9, (byte) 0xff, (byte) 0x80, '\n'};
        MainCf cf = MainCf.parse("m", bytes);
        assertEquals("\u00e9\u00ff\u0080", cf.raw("a"));
    }

    @Test
    void verticalTabAndFormFeedAreWhiteSpace() {
        MainCf cf = parse("a\u000b= 1\f\n\u000bb\n");
        assertEquals("1\f\u000bb", cf.raw("a"));
    }

    @Test
    void rawValuesInFirstDefinitionOrder() {
        MainCf cf = parse("z = 1\na = 2\nm = 3\n");
        assertEquals(List.of("z", "a", "m"), List.copyOf(cf.rawValues().keySet()));
        assertNull(cf.raw("nosuch"));
        assertFalse(cf.isSet("nosuch"));
    }

    @Test
    void bytesAreACopyOfTheInput() {
        byte[] input = "a = 1\n".getBytes(StandardCharsets.ISO_8859_1);
        MainCf cf = MainCf.parse("m", input);
        input[0] = 'b';
        assertArrayEquals("a = 1\n".getBytes(StandardCharsets.ISO_8859_1), cf.bytes());
        assertEquals("m", cf.displayName());
    }

    @Test
    void emptyFileAndCommentsOnly() {
        assertEquals(Map.of(), parse("").rawValues());
        assertEquals(Map.of(), parse("# only\n\n  # comments\n").rawValues());
    }

    @Test
    void readsAFileNamingItAsGiven() throws IOException {
        Path file = dir.resolve("main.cf");
        Files.writeString(file, "a = 1\n");
        MainCf cf = MainCf.read(file);
        assertEquals("1", cf.raw("a"));
        assertEquals(file.toString(), cf.displayName());
    }

    @Test
    void missingFileIsFatalLikePostfix() {
        Path file = dir.resolve("nosuch/main.cf");
        Fatal e = assertThrows(Fatal.class, () -> MainCf.read(file));
        assertEquals("open " + file + ": No such file or directory", e.getMessage());
    }

    @Test
    void directoryIsFatal() {
        Fatal e = assertThrows(Fatal.class, () -> MainCf.read(dir));
        assertEquals("read " + dir + ": Is a directory", e.getMessage());
    }

    @Test
    void hugeFileIsFatalWithoutReadingItAll() throws IOException {
        Path file = dir.resolve("main.cf");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(MainCf.MAX_BYTES + 1L);
        }
        Fatal e = assertThrows(Fatal.class, () -> MainCf.read(file));
        assertTrue(e.getMessage().startsWith(file + ": file too large"), e.getMessage());
    }

    @Test
    void errorsInTheMiddleOfAReadAreFatal() {
        Fatal e = assertThrows(Fatal.class, () -> MainCf.read(Path.of("/proc/self/mem")));
        assertTrue(e.getMessage().startsWith("read /proc/self/mem: ") || e.getMessage().startsWith("open /proc/self/mem: "),
                e.getMessage());
    }

    @Test
    void binaryJunkGivesAFatalOrAResultNeverAnotherException() {
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            byte[] junk = new byte[random.nextInt(200)];
            random.nextBytes(junk);
            if (round % 2 == 0) for (int i = 0; i < junk.length; i += 7) junk[i] = (byte) "\n =#\t$".charAt(i % 6);
            try {
                MainCf cf = MainCf.parse("junk", junk);
                cf.rawValues().forEach((name, value) -> assertFalse(name.isEmpty()));
            } catch (Fatal expected) {
                assertTrue(expected.getMessage().startsWith("junk, line "), expected.getMessage());
            }
        }
    }

    @Test
    void splitNameValueFollowsPostconf() {
        assertEquals(new MainCf.Setting("a", "b  c"), MainCf.splitNameValue("  a =  b  c  "));
        assertEquals(new MainCf.Setting("a", ""), MainCf.splitNameValue("a="));
        assertEquals("missing attribute name: \"  \"",
                assertThrows(Fatal.class, () -> MainCf.splitNameValue("  ")).getMessage());
        assertEquals("missing '=' after attribute name: \"a\"",
                assertThrows(Fatal.class, () -> MainCf.splitNameValue("a")).getMessage());
    }

    /**
     * A Postfix program reading an instance's main.cf starts from config_directory = that
     * directory, so a first definition with another value is an override too, in line order
     * among the others (StartupDifferentialTest compares this with the real postmulti).
     */
    @Test
    void warningsAsAnInstanceReadsItself() {
        MainCf cf = parse("biff = no\nbiff = yes\nconfig_directory = /other\nconfig_directory = /again\nmail_name = a\nmail_name = b\n");
        assertEquals(List.of("/x/main.cf, line 2: overriding earlier entry: biff=no",
                "/x/main.cf, line 3: overriding earlier entry: config_directory=/etc/postfix-a",
                "/x/main.cf, line 4: overriding earlier entry: config_directory=/other",
                "/x/main.cf, line 6: overriding earlier entry: mail_name=a"), cf.warningsReadAs("/etc/postfix-a"));
        assertEquals(List.of("/x/main.cf, line 2: overriding earlier entry: biff=no",
                "/x/main.cf, line 4: overriding earlier entry: config_directory=/other",
                "/x/main.cf, line 6: overriding earlier entry: mail_name=a"), cf.warningsReadAs("/other"));
        assertEquals(cf.warnings(), cf.warningsReadAs("/other"));
        MainCf plain = parse("biff = no\nbiff = yes\n");
        assertEquals(plain.warnings(), plain.warningsReadAs("/etc/postfix-a"));
    }

    @Test
    void unchangedComparesWithTheFileAsItIsNow() throws IOException {
        Path file = dir.resolve("main.cf");
        Files.writeString(file, "biff = no\n");
        Host host = Host.live();
        MainCf cf = MainCf.read(host, file.toString());
        assertTrue(cf.unchanged(host, file.toString()));
        Files.writeString(file, "biff = yes\n");
        assertFalse(cf.unchanged(host, file.toString()));
        Files.delete(file);
        assertFalse(cf.unchanged(host, file.toString()));
    }

    /** Checked with postconf 3.7: a line of 30 characters is quoted whole, a longer one cut to 30 and "...". */
    @Test
    void leadingWhiteSpaceWarningsQuoteThirtyCharacters() {
        String thirty = " " + "a".repeat(25) + " = y";
        assertEquals(List.of("/x/main.cf: logical line must not start with whitespace: \"" + thirty + "\""),
                parse(thirty + "\n").warnings());
        String longer = " " + "a".repeat(26) + " = y";
        assertEquals(List.of("/x/main.cf: logical line must not start with whitespace: \"" + longer.substring(0, 30) + "...\""),
                parse(longer + "\n").warnings());
    }

    @Test
    void aFileOfExactlyTheLimitIsRead() throws IOException {
        Path file = dir.resolve("main.cf");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(MainCf.MAX_BYTES);
        }
        Fatal e = assertThrows(Fatal.class, () -> MainCf.read(file));
        assertEquals(file + ", line 1: missing attribute name: \"\"", e.getMessage(), "read, and its NUL bytes are no setting");
    }
}
