import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Properties of the main.cf engine on random files from {@link MainCfGrammar} (no postconf
 * needed; MainCfFuzzTest compares with postconf). The grammar knows which entry each physical line
 * belongs to, so the expected result of an edit is worked out from that, not from the editor.
 *
 * <ul>
 * <li>an edit touches only the lines of the parameters it names (and appends the missing ones);
 * <li>an edit, then reading the file again, gives the edited value (or none), others unchanged;
 * <li>commenting out and then removing equals removing;
 * <li>reading any bytes ends with a result or our {@link Fatal}, naming the file and the line;
 * <li>expanding any values, loops and bombs included, ends quickly with a value or a macro error.
 * </ul>
 * Also regression tests for the engine bugs the fuzzers found (the postconf side of each is in
 * MainCfFuzzTest).
 */
class MainCfPropertiesTest {
    private static final String FILE = "/x/main.cf";
    /** Values as postconf -e gets them: no NUL (no argv holds one). */
    private static final MainCfGrammar.Options VALUES = new MainCfGrammar.Options(false, false, true, true, true);
    private static final Pattern READ_ERROR = Pattern.compile(
            "\\Q" + FILE + "\\E, line (\\d+): (missing attribute name|missing '=' after attribute name): \".*\"", Pattern.DOTALL);
    private static final Pattern EXPANSION_ERROR = Pattern.compile(
            "(?:\\Q" + FILE + "\\E, line (\\d+): |default value of )parameter (\\S+?): .+", Pattern.DOTALL);

    @TempDir
    Path dir;

    private enum Mode { SET, COMMENT_OUT, REMOVE }

    /** A file, an edit of it, and the names and values of that edit. */
    private record EditCase(MainCfGrammar.Doc doc, Mode mode, Map<String, String> settings) {
        List<EditCase> smaller() {
            List<EditCase> smaller = new ArrayList<>();
            for (String name : settings.keySet()) {
                if (settings.size() == 1) break;
                Map<String, String> fewer = new LinkedHashMap<>(settings);
                fewer.remove(name);
                smaller.add(new EditCase(doc, mode, fewer));
            }
            for (MainCfGrammar.Doc simpler : doc.smaller()) smaller.add(new EditCase(simpler, mode, settings));
            return smaller;
        }

        byte[] edit(byte[] input) {
            return switch (mode) {
                case SET -> MainCfEditor.set(input, settings);
                case COMMENT_OUT -> MainCfEditor.commentOut(input, settings.keySet());
                case REMOVE -> MainCfEditor.remove(input, settings.keySet());
            };
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("main.cf: " + doc + "\n  edit: " + mode);
            settings.forEach((name, value) -> text.append(' ').append(name)
                    .append(mode == Mode.SET ? "=" + MainCfGrammar.escape(value) : ""));
            return text.toString();
        }
    }

    private static EditCase editCase(Random random) {
        MainCfGrammar.Doc doc = MainCfGrammar.doc(random, MainCfGrammar.Options.PROPERTIES);
        Mode mode = Mode.values()[random.nextInt(3)];
        List<String> present = doc.entryNames();
        Map<String, String> settings = new LinkedHashMap<>();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            int choice = random.nextInt(10);
            String name = choice < 6 && !present.isEmpty() ? present.get(random.nextInt(present.size()))
                    : choice < 8 ? MainCfGrammar.ORDER.get(random.nextInt(MainCfGrammar.ORDER.size()))
                    : MainCfGrammar.NEW_NAMES.get(random.nextInt(MainCfGrammar.NEW_NAMES.size()));
            settings.put(name, MainCfGrammar.value(random, VALUES, name));
        }
        return new EditCase(doc, mode, settings);
    }

    private static void checkEdits(String property, RandomCases.Property<EditCase> check) {
        RandomCases.check("MainCfPropertiesTest." + property, 1500, 20, MainCfPropertiesTest::editCase,
                EditCase::smaller, check);
    }

    // ----------------------------------------------------------------- edits

    @Test
    void editTouchesOnlyTheLinesOfTheParametersItNames() {
        checkEdits("editTouchesOnlyTheLinesOfTheParametersItNames", c -> {
            String expected = expectedEdit(c);
            String actual = text(c.edit(c.doc().bytes()));
            assertEquals(MainCfGrammar.escape(expected), MainCfGrammar.escape(actual), "[edit] " + c.mode());
        });
    }

    /**
     * The edit worked out from the grammar's knowledge of each line: the named parameters' lines
     * replaced (by one line), commented out or dropped; every other line as it was; missing names
     * appended sorted; every line ending with a newline.
     */
    private static String expectedEdit(EditCase c) {
        StringBuilder out = new StringBuilder();
        Set<String> found = new LinkedHashSet<>();
        for (MainCfGrammar.Line line : c.doc().lines()) {
            boolean named = line.owner() != null && c.settings().containsKey(line.owner());
            if (!named) {
                out.append(line.text()).append('\n');
                continue;
            }
            found.add(line.owner());
            switch (c.mode()) {
                case SET -> {
                    if (line.kind() == MainCfGrammar.Kind.ENTRY)
                        out.append(line.owner()).append(" = ").append(c.settings().get(line.owner())).append('\n');
                }
                case COMMENT_OUT -> out.append('#').append(line.text()).append('\n');
                case REMOVE -> { }
            }
        }
        if (c.mode() == Mode.SET) {
            new TreeMap<>(c.settings()).forEach((name, value) -> {
                if (!found.contains(name)) out.append(name).append(" = ").append(value).append('\n');
            });
        }
        return out.toString();
    }

    @Test
    void editThenReadGivesTheEditedValueAndLeavesTheOthers() {
        checkEdits("editThenReadGivesTheEditedValueAndLeavesTheOthers", c -> {
            MainCf before = MainCf.parse(FILE, c.doc().bytes());
            MainCf after = MainCf.parse(FILE, c.edit(c.doc().bytes()));
            for (Map.Entry<String, String> setting : c.settings().entrySet()) {
                String name = setting.getKey();
                String expected = c.mode() == Mode.SET ? MainCf.splitNameValue(name + " = " + setting.getValue()).value() : null;
                assertEquals(expected, after.raw(name), "[edited] " + name);
            }
            for (String name : before.rawValues().keySet()) {
                if (!c.settings().containsKey(name)) assertEquals(before.raw(name), after.raw(name), "[other] " + name);
            }
        });
    }

    @Test
    void commentOutThenRemoveEqualsRemove() {
        checkEdits("commentOutThenRemoveEqualsRemove", c -> {
            byte[] input = c.doc().bytes();
            Set<String> names = c.settings().keySet();
            byte[] commented = MainCfEditor.commentOut(input, names);
            byte[] removed = MainCfEditor.remove(input, names);
            // The same parameters: a commented-out entry is as good as gone ...
            assertEquals(MainCf.parse(FILE, removed).rawValues(),
                    MainCf.parse(FILE, MainCfEditor.remove(commented, names)).rawValues(), "[same parameters]");
            assertEquals(text(commented), text(MainCfEditor.remove(commented, names)), "[commented entries are inert]");
            // ... and line for line: removing drops exactly the lines that commenting out changes.
            List<String> original = new ArrayList<>();
            for (MainCfGrammar.Line line : c.doc().lines()) original.add(line.text() + "\n");
            List<String> commentedLines = PostconfOracle.lines(text(commented));
            assertEquals(original.size(), commentedLines.size(), "[line count]");
            StringBuilder unchanged = new StringBuilder();
            for (int i = 0; i < original.size(); i++) {
                if (original.get(i).equals(commentedLines.get(i))) unchanged.append(original.get(i));
                else assertEquals("#" + original.get(i), commentedLines.get(i), "[comment marks]");
            }
            assertEquals(MainCfGrammar.escape(unchanged.toString()), MainCfGrammar.escape(text(removed)), "[remove]");
        });
    }

    // ----------------------------------------------------------------- reading anything

    private static final String ALPHABET = "\n\n\n\n\r \t\t  ===##$${}()?:\0\u000b\fabcxyz_019.\u00e9\u00ff\u0080";

    /** Bytes to read, shown as a Java string in a failure. */
    private record Input(byte[] bytes) {
        @Override
        public String toString() {
            return MainCfGrammar.escape(text(bytes));
        }
    }

    /** Bytes that are often nearly a main.cf: a grammar file with a few bytes changed, or random bytes. */
    private static Input hostileBytes(Random random) {
        StringBuilder text = new StringBuilder();
        if (random.nextInt(3) == 0) {
            for (int n = random.nextInt(600); n > 0; n--) text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        } else {
            text.append(MainCfGrammar.doc(random, MainCfGrammar.Options.PROPERTIES).text());
            for (int n = 1 + random.nextInt(6); n > 0; n--) {
                int at = text.length() == 0 ? 0 : random.nextInt(text.length());
                char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
                switch (random.nextInt(3)) {
                    case 0 -> text.insert(at, c);
                    case 1 -> {
                        if (at < text.length()) text.deleteCharAt(at);
                    }
                    default -> {
                        if (at < text.length()) text.setCharAt(at, c);
                    }
                }
            }
        }
        return new Input(text.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static List<Input> smallerBytes(Input input) {
        List<Input> smaller = new ArrayList<>();
        String text = text(input.bytes());
        List<String> lines = PostconfOracle.lines(text);
        for (int i = 0; i < lines.size() && lines.size() > 1; i++) {
            List<String> fewer = new ArrayList<>(lines);
            fewer.remove(i);
            smaller.add(new Input(String.join("", fewer).getBytes(StandardCharsets.ISO_8859_1)));
        }
        for (int i = 0; i < text.length() && text.length() < 200; i++)
            smaller.add(new Input((text.substring(0, i) + text.substring(i + 1)).getBytes(StandardCharsets.ISO_8859_1)));
        return smaller;
    }

    @Test
    void readingAnyBytesGivesAResultOrAFatalNamingFileAndLine() {
        ParamDefaults defaults = ParamDefaults.builtIn();
        RandomCases.check("MainCfPropertiesTest.readingAnyBytesGivesAResultOrAFatalNamingFileAndLine", 2500, 20,
                MainCfPropertiesTest::hostileBytes, MainCfPropertiesTest::smallerBytes, input -> {
                    byte[] bytes = input.bytes();
                    MainCf cf;
                    try {
                        cf = MainCf.parse(FILE, bytes);
                    } catch (Fatal e) {
                        Matcher m = READ_ERROR.matcher(e.getMessage());
                        assertTrue(m.matches(), "[read error] " + e.getMessage());
                        int line = Integer.parseInt(m.group(1));
                        assertTrue(line >= 1 && line <= PostconfOracle.lines(text(bytes)).size(), "[read error line] " + line);
                        return;
                    }
                    Parameters parameters = new Parameters(cf, "/x", defaults);
                    Set<String> names = new LinkedHashSet<>(cf.rawValues().keySet());
                    names.addAll(MainCfGrammar.REFERRED_ONLY);
                    for (String name : names) {
                        try {
                            parameters.expanded(name);
                        } catch (Fatal e) {
                            Matcher m = EXPANSION_ERROR.matcher(e.getMessage());
                            assertTrue(m.matches(), "[expansion error] " + e.getMessage());
                            if (m.group(1) != null) {
                                MainCf.Definition where = cf.definition(m.group(2));
                                assertTrue(where != null && where.line() == Integer.parseInt(m.group(1)),
                                        "[expansion error line] " + e.getMessage());
                            }
                        }
                    }
                    for (String name : List.of("a", "relayhost", "zz_new")) {
                        MainCf.parse(FILE, MainCfEditor.set(bytes, Map.of(name, "v")));
                        MainCfEditor.commentOut(bytes, List.of(name));
                        MainCfEditor.remove(bytes, List.of(name));
                    }
                });
    }

    @Test
    void readingAFileNamesItByItsPath() throws Exception {
        Path file = dir.resolve("main.cf");
        Files.write(file, "a = 1\njunk\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(file + ", line 2: missing '=' after attribute name: \"junk\"",
                assertThrows(Fatal.class, () -> MainCf.read(file)).getMessage());
        assertTrue(assertThrows(Fatal.class, () -> MainCf.read(dir)).getMessage().startsWith("read " + dir + ": "));
        assertTrue(assertThrows(Fatal.class, () -> MainCf.read(dir.resolve("none"))).getMessage()
                .startsWith("open " + dir.resolve("none") + ": "));
    }

    // ----------------------------------------------------------------- expansion bombs and loops

    /** A few names whose values refer to each other (loops included), many times over, in every form. */
    private static Map<String, String> hostileValues(Random random) {
        int count = 1 + random.nextInt(6);
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            StringBuilder value = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) {
                String other = "p" + random.nextInt(count + 1);
                value.append(switch (random.nextInt(10)) {
                    case 0 -> "$" + other + "$" + other;
                    case 1 -> "${" + other + "?{$" + other + "$" + other + "}:{x}}";
                    case 2 -> "${{$" + other + "} == {$" + other + "}?{$" + other + "}}";
                    case 3 -> "x".repeat(random.nextInt(5000));
                    case 4 -> "${" + other + "?{".repeat(1 + random.nextInt(400)) + "$" + other + "}}".repeat(random.nextInt(400));
                    case 5 -> "$(" + other + ":" + "$" + other + ")";
                    case 6 -> "$$" + other;
                    case 7 -> "${" + other + "}";
                    default -> "$" + other + " ";
                });
            }
            values.put("p" + i, value.toString());
        }
        return values;
    }

    @Test
    void expandingAnyValuesEndsQuicklyWithAValueOrAMacroError() {
        RandomCases.check("MainCfPropertiesTest.expandingAnyValuesEndsQuicklyWithAValueOrAMacroError", 300, 30,
                MainCfPropertiesTest::hostileValues, values -> List.of(), values -> {
                    for (String name : values.keySet()) {
                        long start = System.nanoTime();
                        try {
                            String result = Expander.expand("$" + name, values::get);
                            assertTrue(result.length() <= Expander.MAX_RESULT_CHARS, "[size] " + result.length());
                        } catch (Expander.MacroError expected) {
                            assertTrue(!expected.getMessage().isEmpty() && expected.getMessage().length() < 1000,
                                    "[message] " + expected.getMessage());
                        }
                        long millis = (System.nanoTime() - start) / 1_000_000;
                        assertTrue(millis < 5_000, "[time] $" + name + " took " + millis + " ms");
                    }
                });
    }

    @Test
    void aLoopThroughAFileIsFatalWithFileAndLine() {
        MainCf cf = MainCf.parse(FILE, bytes("a = 1\nrelayhost = [$mydomain]\nmydomain = ${relayhost?{x}}$myorigin\n"
                + "myorigin = ${{$relayhost} == {}}\n"));
        Parameters parameters = new Parameters(cf, "/x", ParamDefaults.builtIn());
        Fatal e = assertThrows(Fatal.class, () -> parameters.expanded("relayhost"));
        assertTrue(e.getMessage().matches("\\Q" + FILE + "\\E, line [234]: parameter (relayhost|mydomain|myorigin): "
                + "unreasonable macro call nesting: .*"), e.getMessage());
    }

    @Test
    void aBillionLaughsFileNearTheSizeLimitEndsQuickly() {
        StringBuilder file = new StringBuilder("l0 = " + "ha ".repeat(1000) + "\n");
        for (int i = 1; i <= 60; i++) file.append("l").append(i).append(" = ").append(("$l" + (i - 1)).repeat(10)).append('\n');
        // Long lines of references, up to MainCf's size limit, each a fan-out of 1000.
        String fanOut = "${l60?{" + "$l60".repeat(1000) + "}}";
        for (int i = 0; file.length() + fanOut.length() + 20 < MainCf.MAX_BYTES; i++)
            file.append("w").append(i).append(" = ").append(fanOut).append('\n');
        MainCf cf = MainCf.parse(FILE, bytes(file.toString()));
        Parameters parameters = new Parameters(cf, "/x", ParamDefaults.builtIn());
        long start = System.nanoTime();
        for (String name : List.of("l60", "w0", "w1")) {
            Fatal e = assertThrows(Fatal.class, () -> parameters.expanded(name));
            assertTrue(e.getMessage().contains("expansion is longer than") || e.getMessage().contains("too much work"),
                    e.getMessage());
        }
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "took " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    @Test
    void deepNestingEndsWithAMacroErrorNotAStackOverflow() {
        Map<String, String> values = new HashMap<>();
        values.put("x", "1");
        for (String value : List.of("${x?{".repeat(20_000) + "}}".repeat(20_000), "${{".repeat(20_000),
                "${{${{".repeat(5_000) + "} == {}}".repeat(10_000), "$(x:".repeat(20_000) + ")".repeat(20_000),
                "${x?".repeat(20_000) + "}".repeat(20_000))) {
            try {
                Expander.expand(value, values::get);
            } catch (Expander.MacroError expected) {
                assertTrue(!expected.getMessage().isEmpty());
            }
        }
    }

    // ----------------------------------------------------------------- regressions found by the fuzzers

    /** Postfix 3.6+'s compatibility-level comparisons, which its own defaults use (mynetworks_style, ...). */
    @Test
    void levelOperatorsCompareCompatibilityLevels() {
        Map<String, String> values = Map.of("compatibility_level", "3.6", "two", "2");
        assertEquals("lt|le|gt|eq|ne|true|subnet", Expander.expand("${{$compatibility_level} <level {3.10}?{lt}:{ge}}|"
                + "${{ 3.6}<=level{+3.6}?le}|${{2047.0.0} >level {3}?gt}|${{3} ==level {3.0.0}?{eq}}|"
                + "${{3.6}!=level{3.6.1}?ne}|${{$two} >=level {2}}|${{$two} <level {3} ? {subnet} : {host}}", values::get));
        Map<String, String> messages = new LinkedHashMap<>();
        messages.put("${{3.x} <level {3}}", "malformed compatibility level syntax: \"3.x\"");
        messages.put("${{-1} <level {3}}", "malformed compatibility level syntax: \"-1\"");
        messages.put("${{3.} <level {3}}", "malformed compatibility level syntax: \"3.\"");
        messages.put("${{3.1024} <level {3}}", "malformed compatibility level syntax: \"3.1024\"");
        messages.put("${{3} <level {3.6.1.2}}", "malformed compatibility level syntax: \"3.6.1.2\"");
        messages.put("${{3} <lvl {3}}", "bad operator suffix at: \"...<>>>lvl\"");
        messages.put("${{3} <level_x {3}}", "\"{expression}\" expected at: \"...{3} <>>>_x {3}\"");
        messages.put("${{3} =~level {3}}",
                "\"==\" or \"!=\"\" or \"<\"\" or \"<=\"\" or \">=\"\" or \">\" expected at: \"...3}>>>=~level {3}\"");
        messages.forEach((value, message) ->
                assertEquals(message, assertThrows(Expander.MacroError.class, () -> Expander.expand(value, values::get))
                        .getMessage(), value));
    }

    /** postconf -x prints Postfix's raw parameters as they are, but expands a reference to one. */
    @Test
    void rawParametersAreNotExpandedUnlessReferredTo() {
        MainCf cf = MainCf.parse(FILE, bytes("mailbox_command = $mail_name x\nrelayhost = [$mailbox_command]\n"));
        Parameters parameters = new Parameters(cf, "/x", ParamDefaults.builtIn());
        assertEquals("$mail_name x", parameters.expanded("mailbox_command"));
        assertEquals("[Postfix x]", parameters.expanded("relayhost"));
    }

    /** postconf ignores a main.cf setting of process_name, process_id and service_name. */
    @Test
    void readOnlyParametersAreNotTakenFromMainCf() {
        MainCf cf = MainCf.parse(FILE, bytes("process_id = 1\nmail_name = $process_id\n"));
        Parameters parameters = new Parameters(cf, "/x", ParamDefaults.builtIn());
        assertNull(parameters.raw("process_id"));
        assertEquals("", parameters.expanded("mail_name"));
    }

    /** Postfix's messages show every byte that is not printable ASCII as '?' (UTF-8 too). */
    @Test
    void messagesShowBytesAbove126AsQuestionMarks() {
        Fatal e = assertThrows(Fatal.class, () -> MainCf.parse(FILE, bytes("a = 1\n\u00c3\u00a9 \u00e9\u0080\u007f junk\n")));
        assertEquals(FILE + ", line 2: missing '=' after attribute name: \"?? ??? junk\"", e.getMessage());
        assertEquals("empty macro name: \"?? $\"",
                assertThrows(Expander.MacroError.class, () -> Expander.expand("\u00c3\u00a9 $", n -> null)).getMessage());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
