import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential fuzzing of the main.cf engine against the real postconf: random files from
 * {@link MainCfGrammar}, random {@code -e}, {@code -#} and {@code -X} edits made by postconf and by
 * us on the same bytes, then every name's expansion and raw value compared. The documented 3.7
 * differences are allowed for as {@link PostconfOracle} describes.
 *
 * <p>What is checked, per case:
 * <ul>
 * <li>each edit: postconf refuses it exactly when we do, and otherwise writes what we write (the
 * next edit starts from postconf's bytes, so one difference does not hide the next);
 * <li>the result: {@code postconf -n} prints every explicit setting as we read it, and
 * {@code postconf -x NAME...} (the names set, the names referred to, a few more) prints each name
 * it does not reject with our expansion; {@code -x} rather than {@code -xh} because postconf skips
 * the names it rejects, and only the names tell which line is whose;
 * <li>when postconf refuses the file (a malformed or looping value in a parameter it knows, which
 * it expands at start-up), our expansion of some such parameter fails too, with the same words.
 * </ul>
 * CI checks a fixed set of cases (about a minute); {@code bench/fuzz-maincf.sh} runs many more.
 */
class MainCfFuzzTest {
    /**
     * What postconf 3.7 expands at start-up a second time, through its dictionary of main.cf's
     * own settings (where only config_directory is defined besides them), dying on an error with
     * "dictionary mail_dict: macro processing error". Found by giving each parameter a value that
     * fails only without defaults: these, and also mydomain, myhostname, inet_interfaces,
     * inet_protocols and mynetworks_style when postconf computes a default from them, which the
     * test avoids (see {@link #pinComputedDefaults}).
     */
    static final List<String> STARTUP = List.of("smtpd_restriction_classes");
    /** Parameters whose defaults Postfix computes from other settings (see {@link #pinComputedDefaults}). */
    static final List<String> COMPUTED = List.of("myhostname", "mydomain", "mynetworks");
    private static ParamDefaults defaults;

    @TempDir
    Path dir;

    private int attempt;

    @BeforeEach
    void needPostconf() {
        String reason = Postconf.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        synchronized (MainCfFuzzTest.class) {
            if (defaults == null) defaults = ParamDefaults.load(System.getenv());
        }
    }

    @Test
    void editsAndExpansionsMatchPostconf() {
        RandomCases.check("MainCfFuzzTest.editsAndExpansionsMatchPostconf", 160, 75,
                random -> MainCfGrammar.editCase(random, MainCfGrammar.Options.DIFFERENTIAL),
                MainCfGrammar.Case::smaller, this::check);
    }

    /** Regression: Postfix's {@code level} operators (its own defaults use them), each as postconf 3.7 has it. */
    @Test
    void compatibilityLevelComparisonsAsInPostconf() {
        List<String> values = List.of("${{3.6} <level {3.10}?{lt}:{ge}}", "${{ 3.6}<=level{+3.6}}",
                "${{2047.0.0} >level {3}}", "${{3} ==level {3.0.0}}", "${{3. 6} ==level {3.6}}", "${{3.6}!=level{3.6.1}}",
                "${{$compatibility_level} <level {2} ? {subnet} : {host}}", "${ {3}==level{3}?x}",
                "${{3.x} <level {3}}", "${{-1} <level {3}}", "${{3.} <level {3}}", "${{} <level {3}}",
                "${{3.1024} <level {3}}", "${{3.6.1.2} <level {3}}", "${{3.6 } <level {3}}", "${{0x3} ==level {3}}",
                "${{3} <lvl {3}}", "${{3} <level2 {3}}", "${{3} <level_x {3}}", "${{3} <level}", "${{3} =~level {3}}");
        StringBuilder file = new StringBuilder("compatibility_level = 3.6\n");
        for (String value : values) {
            file.setLength("compatibility_level = 3.6\n".length());
            file.append("relayhost = ").append(value).append('\n');
            expansionsAgree(Postconf.directoryWith(dir, "level" + attempt++, bytes(file.toString())),
                    List.of("relayhost", "mynetworks_style", "append_dot_mydomain", "smtputf8_enable"));
        }
    }

    private void check(MainCfGrammar.Case testCase) throws IOException {
        Path work = Files.createDirectories(dir.resolve("case" + attempt++));
        try {
            byte[] current = testCase.doc().bytes();
            int step = 0;
            for (MainCfGrammar.Edit edit : testCase.edits()) current = edit(work.resolve("edit" + step++), current, edit);
            Path directory = Postconf.directoryWith(work, "final", pinComputedDefaults(current));
            MainCf cf;
            try {
                cf = MainCf.read(directory.resolve("main.cf"));
            } catch (Fatal unreadable) {
                Postconf.Result result = PostconfOracle.run(directory, List.of("-n"));
                assertNotEquals(0, result.status(), "[read] we cannot read what postconf reads: " + unreadable.getMessage());
                assertTrue(result.stderr().contains("fatal: " + unreadable.getMessage() + "\n"),
                        "[read error] ours: " + unreadable.getMessage() + "\npostconf: " + result.stderr());
                return;
            }
            rawValuesAgree(directory, cf);
            Set<String> names = new LinkedHashSet<>(cf.rawValues().keySet());
            names.addAll(MainCfGrammar.ORDER);
            names.addAll(MainCfGrammar.REFERRED_ONLY);
            names.addAll(MainCfGrammar.NEW_NAMES);
            names.add(MainCfGrammar.LONELY);
            expansionsAgree(directory, new ArrayList<>(names));
        } finally {
            delete(work);
        }
    }

    /**
     * The file with {@link #COMPUTED} parameters it does not set appended with our default values.
     * Postfix computes their defaults from the file's other settings (myhostname from mydomain and
     * back, mynetworks from mynetworks_style and the interfaces), while ParamDefaults has the ones
     * postconf -d computes for /etc/postfix (a documented limit: postmulti reads none of them).
     */
    private static byte[] pinComputedDefaults(byte[] file) {
        MainCf cf = MainCf.parse("main.cf", file);
        StringBuilder text = new StringBuilder(new String(PostconfOracle.terminated(file), StandardCharsets.ISO_8859_1));
        for (String name : COMPUTED) {
            if (!cf.isSet(name)) text.append(name).append(" = ").append(defaults.get(name)).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One edit by postconf and by us; returns postconf's result. */
    private byte[] edit(Path directory, byte[] input, MainCfGrammar.Edit edit) throws IOException {
        Files.createDirectories(directory.getParent());
        Postconf.directoryWith(directory.getParent(), directory.getFileName().toString(), PostconfOracle.terminated(input));
        List<String> arguments = new ArrayList<>(List.of("-" + edit.option()));
        arguments.addAll(edit.arguments());
        Postconf.Result result = PostconfOracle.run(directory, arguments);
        byte[] ours;
        Map<String, String> settings = new LinkedHashMap<>();
        try {
            if (edit.option() == 'e') {
                for (String argument : edit.arguments()) {
                    MainCf.Setting setting = MainCfEditor.parseSetting(argument);
                    settings.put(setting.name(), setting.value());
                }
                ours = MainCfEditor.set(input, settings);
            } else if (edit.option() == '#') {
                ours = MainCfEditor.commentOut(input, edit.arguments());
            } else {
                ours = MainCfEditor.remove(input, edit.arguments());
            }
        } catch (Fatal refused) {
            assertNotEquals(0, result.status(), "[edit refused by us] " + edit + ": we refused (" + refused.getMessage() + "), postconf did not");
            return input;
        }
        assertEquals(0, result.status(), "[edit refused by postconf] " + edit + ": postconf refused, we did not: " + result.stderr());
        byte[] theirs = Files.readAllBytes(directory.resolve("main.cf"));
        String difference = PostconfOracle.editDifference(theirs, ours,
                edit.option() == 'e' ? PostconfOracle.appendedBy(input, settings.keySet()) : 0);
        if (difference != null) fail("[edit differs] " + edit + ": different results\n" + difference);
        return theirs;
    }

    /** {@code postconf -n}: every explicit setting, as we read it (values folded as postconf prints them). */
    private void rawValuesAgree(Path directory, MainCf cf) {
        Postconf.Result result = PostconfOracle.run(directory, List.of("-n"));
        if (result.status() != 0) return;  // a value postconf cannot expand: expansionsAgree looks at that
        Map<String, String> theirs = PostconfOracle.settings(result.out());
        // postconf -n leaves out user-defined parameters that nothing refers to ("unused parameter").
        for (String name : cf.rawValues().keySet()) {
            if (PostconfOracle.knownNames(dir).contains(name))
                assertTrue(theirs.containsKey(name), "[raw names] postconf -n does not print " + name + ": " + result.out());
        }
        theirs.forEach((name, value) -> {
            assertTrue(name.equals("config_directory") || cf.isSet(name), "[raw names] postconf -n prints " + name);
            String raw = name.equals("config_directory") && !cf.isSet(name) ? directory.toString() : cf.raw(name);
            assertEquals(value, PostconfOracle.folded(raw), "[raw value] raw value of " + name);
        });
    }

    /** {@code postconf -x NAME...} against our expansion of each name it does not reject. */
    private void expansionsAgree(Path directory, List<String> names) {
        List<String> arguments = new ArrayList<>(List.of("-x"));
        arguments.addAll(names);
        Postconf.Result result = PostconfOracle.run(directory, arguments);
        Parameters parameters = new Parameters(MainCf.read(directory.resolve("main.cf")), directory.toString(), defaults);
        if (result.status() != 0) {
            refusedAlike(directory, parameters, names, result);
            return;
        }
        Map<String, String> theirs = PostconfOracle.settings(result.out());
        theirs.forEach((name, value) -> {
            String raw = parameters.raw(name);
            // $process_id is the pid of whichever program expands it.
            if (raw != null && raw.contains("process_id")) return;
            String ours;
            try {
                ours = parameters.expanded(name);
            } catch (Fatal e) {
                throw new AssertionError("[expansion fails] postconf -x " + name + " printed \"" + value + "\", we failed: " + e.getMessage(), e);
            }
            assertEquals(value, PostconfOracle.folded(ours), "[expansion differs] expansion of " + name);
        });
        // postconf expanded every parameter it knows at start-up; none of those may fail for us either.
        List<String> ourErrors = startupErrors(directory, parameters);
        assertTrue(ourErrors.isEmpty(), "[startup errors] postconf accepted the file, we fail: " + ourErrors);
    }

    /**
     * postconf refused the file, or died on one of the names asked for (a user-defined parameter
     * it learns of from a reference elsewhere): some value it expands at start-up, or one of those
     * names, must fail for us too, in the same words.
     */
    private void refusedAlike(Path directory, Parameters parameters, List<String> names, Postconf.Result result) {
        List<String> ourErrors = startupErrors(directory, parameters);
        for (String name : names) expand(parameters.raw(name), parameters::raw, ourErrors);
        if (result.stderr().contains("terminated by signal")) {
            // postconf 3.7 recurses without end through a relational operand ($a = ${{$a} == {}}, also
            // by way of a default such as append_dot_mydomain) and dies; we must stop such a loop.
            assertTrue(ourErrors.stream().anyMatch(e -> e.startsWith("unreasonable macro call nesting")),
                    "[postconf crashed] postconf crashed, we found no loop: " + result.stderr() + " ours: " + ourErrors);
            return;
        }
        assertTrue(result.stderr().contains("fatal: "), "[postconf failed] " + result.stderr());
        assertTrue(!ourErrors.isEmpty(), "[refused by postconf] postconf refused the file, we expand all it expands: "
                + result.stderr());
        // postconf stops at its first bad number ("mac_exp_eval: bad conversion"); our words differ there.
        if (result.stderr().contains("fatal: mac_exp_eval: bad conversion")) return;
        boolean sameWords = ourErrors.stream().anyMatch(e -> sameWords(result.stderr(), e));
        assertTrue(sameWords, "[refusal words] postconf: " + result.stderr() + "ours: " + ourErrors);
    }

    /**
     * Whether postconf warned in our words. We cut quoted text after 200 characters with "..."
     * (so that a hostile value cannot make a huge message); postconf quotes it whole.
     */
    private static boolean sameWords(String stderr, String ours) {
        StringBuilder pattern = new StringBuilder("postconf: warning: ");
        String[] pieces = ours.split("\\.\\.\\.", -1);
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0) pattern.append("(?:\\.\\.\\.|[^\\n]*?)");
            pattern.append(java.util.regex.Pattern.quote(pieces[i]));
        }
        return java.util.regex.Pattern.compile(pattern.append("\n").toString()).matcher(stderr).find();
    }

    /**
     * Our errors in what postconf 3.7 expands at start-up, where an error is fatal: every parameter
     * it knows (but the raw ones, see {@link Parameters#RAW}), and the few in {@link #STARTUP}
     * once more with main.cf's own settings alone.
     */
    private List<String> startupErrors(Path directory, Parameters parameters) {
        List<String> errors = new ArrayList<>();
        Set<String> known = PostconfOracle.knownNames(dir);
        for (String name : known) {
            if (Parameters.RAW.contains(name) || Parameters.READ_ONLY.contains(name)) continue;
            expand(parameters.raw(name), parameters::raw, errors);
        }
        MainCf cf = parameters.mainCf();
        for (String name : STARTUP) {
            if (cf.isSet(name))
                expand(cf.raw(name), n -> cf.isSet(n) ? cf.raw(n) : n.equals("config_directory") ? directory.toString() : null,
                        errors);
        }
        return errors;
    }

    private static void expand(String value, java.util.function.Function<String, String> lookup, List<String> errors) {
        if (value == null) return;
        try {
            Expander.expand(value, lookup);
        } catch (Expander.MacroError e) {
            errors.add(e.getMessage());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void delete(Path tree) {
        try (var walk = Files.walk(tree)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
