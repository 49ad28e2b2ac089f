import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** postconf -e / -# / -X edits; expected bytes are what postconf 3.7 wrote for the same input. */
class MainCfEditorTest {
    private static final String TRICKY = "  lead = 0\n   cont0\na = 1\n  a2\n# c\n\n\ta3\nb=2\n  b2\nb = 22\nc\t=3\n#a = old\nd =\n";

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String set(String input, String... nameValues) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) settings.put(nameValues[i], nameValues[i + 1]);
        return text(MainCfEditor.set(bytes(input), settings));
    }

    @Test
    void setReplacesEveryDefinitionDropsContinuationsKeepsCommentsAndAppendsSorted() {
        assertEquals("  lead = 0\n   cont0\na = X\n# c\n\nb = Y\nb = Y\nc\t=3\n#a = old\nd = Z\nlead = L\n",
                set(TRICKY, "a", "X", "b", "Y", "d", "Z", "lead", "L"));
    }

    @Test
    void commentOutPrefixesTheDefinitionAndItsContinuations() {
        assertEquals("  lead = 0\n   cont0\n#a = 1\n#  a2\n# c\n\n#\ta3\n#b=2\n#  b2\n#b = 22\nc\t=3\n#a = old\nd =\n",
                text(MainCfEditor.commentOut(bytes(TRICKY), List.of("a", "b", "lead"))));
    }

    @Test
    void removeDropsTheDefinitionAndItsContinuations() {
        assertEquals("  lead = 0\n   cont0\n# c\n\nc\t=3\n#a = old\n",
                text(MainCfEditor.remove(bytes(TRICKY), List.of("a", "b", "d", "lead"))));
    }

    @Test
    void missingNamesAreAppendedSortedByName() {
        assertEquals("x = 1\na = 2\nm = 3\nz = 1\n", set("x = 1\n", "z", "1", "a", "2", "m", "3"));
    }

    @Test
    void emptyValueIsWrittenWithASpaceAfterTheEquals() {
        assertEquals("a = 1\nb = \nc = \n", set("a = 1\n", "b", "", "c", ""));
    }

    @Test
    void lastLineWithoutNewlineGetsOne() {
        // postconf 3.7 writes "b = 2c = 3\n" here; later Postfix adds the newline, as we do.
        assertEquals("a = 1\nb = 2\nc = 3\n", set("a = 1\nb = 2", "c", "3"));
        assertEquals("#a = 1\n#  2\n", text(MainCfEditor.commentOut(bytes("a = 1\n  2"), List.of("a"))));
        assertEquals("b = 2\n", text(MainCfEditor.remove(bytes("a = 1\nb = 2"), List.of("a"))));
        assertEquals("a = 9\n", set("a = 1", "a", "9"));
    }

    @Test
    void crlfLinesStayCrlfUnlessRewritten() {
        assertEquals("a = 1\r\nb = 3\n\r\nc = 4\n", set("a = 1\r\nb = 2\r\n\r\nc\r = 5\r\n", "b", "3", "c", "4"));
    }

    @Test
    void nameEndsAtSpaceTabCrLfOrEqualsOnly() {
        // postconf takes "a\v" as the name here, so a=2 is appended rather than replacing it.
        assertEquals("a\u000b= 1\nb\f= 1\nc = 2\n\u000b\n\f# x\na = 2\nb = 2\n",
                set("a\u000b= 1\nb\f= 1\nc\r= 1\n\u000b\n\f# x\n", "a", "2", "b", "2", "c", "2"));
    }

    @Test
    void namesWithoutSpacesAroundEqualsAreFound() {
        assertEquals("a = 2\n", set("a=1\n", "a", "2"));
    }

    @Test
    void nameMatchIsExactAndCaseSensitive() {
        assertEquals("ab = 1\nA = 1\na = 2\n", set("ab = 1\nA = 1\n", "a", "2"));
    }

    @Test
    void untouchedBytesSurviveWhateverTheyAre() {
        StringBuilder all = new StringBuilder("# ");
        for (int b = 0; b < 256; b++) if (b != '\n') all.append((char) b);
        String input = all + "\nv = \u00e9\u00ff\u0080\n  \u00fe cont\n";
        assertEquals(input + "n = \u00e9\n", set(input, "n", "\u00e9"));
        assertArrayEquals(bytes(input), MainCfEditor.remove(bytes(input), List.of("nosuch")));
    }

    @Test
    void whiteSpaceLedTextBeforeTheFirstEntryIsLeftAlone() {
        assertEquals("  a = 1\n  more\na = 2\n", set("  a = 1\n  more\n", "a", "2"));
    }

    @Test
    void emptyFile() {
        assertEquals("a = 1\n", set("", "a", "1"));
        assertEquals("", text(MainCfEditor.remove(new byte[0], List.of("a"))));
    }

    @Test
    void valuesWithANewlineAreRefused() {
        Fatal e = assertThrows(Fatal.class, () -> set("", "a", "1\n2"));
        assertEquals("value of a must not contain a newline: \"1?2\"", e.getMessage());
    }

    @Test
    void badNamesAreRefused() {
        for (String name : List.of("", "a b", "a=b", "#a", "a\n"))
            assertEquals("invalid parameter name: \"" + MainCf.printable(name) + "\"",
                    assertThrows(Fatal.class, () -> set("", name, "1")).getMessage());
        assertThrows(Fatal.class, () -> MainCfEditor.remove(new byte[0], List.of("a=1")));
        assertThrows(Fatal.class, () -> MainCfEditor.commentOut(new byte[0], List.of(" ")));
    }

    @Test
    void parseSettingSplitsLikePostconf() {
        assertEquals(new MainCf.Setting("a", "1"), MainCfEditor.parseSetting("a=1"));
        assertEquals(new MainCf.Setting("x", "a  b"), MainCfEditor.parseSetting("x=  a  b  "));
        assertEquals(new MainCf.Setting("c", ""), MainCfEditor.parseSetting(" c= "));
        assertEquals(new MainCf.Setting("b", ""), MainCfEditor.parseSetting("b ="));
    }

    /** Checked with postconf 3.7 -e: a last line without '=' or newline that names the parameter is replaced. */
    @Test
    void aLastLineOfOnlyTheNameIsReplaced() {
        assertEquals("a = 1\nzzz = 2\n", set("a = 1\nzzz", "zzz", "2"));
    }

    /** A newline anywhere, the first character too, is refused; so is a setting of blanks only. */
    @Test
    void newlinesAndBlanksAreRefused() {
        assertEquals("value of biff must not contain a newline: \"?yes\"",
                assertThrows(Fatal.class, () -> MainCfEditor.set(bytes(""), Map.of("biff", "\nyes"))).getMessage());
        assertEquals("a setting must not span lines: \"?biff=yes\"",
                assertThrows(Fatal.class, () -> MainCfEditor.parseSetting("\nbiff=yes")).getMessage());
        assertThrows(Fatal.class, () -> MainCfEditor.parseSetting("  "));
    }

    @Test
    void parseSettingRefusesWhatPostconfRefuses() {
        assertEquals("missing '=' after attribute name: \"a b = 1 \"",
                assertThrows(Fatal.class, () -> MainCfEditor.parseSetting(" a b = 1 ")).getMessage());
        assertEquals("missing '=' after attribute name: \"a\"",
                assertThrows(Fatal.class, () -> MainCfEditor.parseSetting("a")).getMessage());
        assertEquals("missing attribute name: \"=1\"",
                assertThrows(Fatal.class, () -> MainCfEditor.parseSetting("=1")).getMessage());
        assertEquals("a setting must not be a comment: \"#a=1\"",
                assertThrows(Fatal.class, () -> MainCfEditor.parseSetting("#a=1")).getMessage());
        assertEquals("a setting must not span lines: \"a=1?2\"",
                assertThrows(Fatal.class, () -> MainCfEditor.parseSetting("a=1\n2")).getMessage());
    }
}
