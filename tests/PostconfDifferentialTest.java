import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our main.cf reading, expansion and editing against the real postconf, on copies of the same
 * input: Debian's stock files and files made to be awkward.
 *
 * <p>Known, deliberate differences, allowed for here: postconf 3.7 appends new entries in
 * hash-table order (we sort; the appended lines may come in any order), and it glues an
 * appended entry onto a last line that lacks its newline (we add the newline, as later Postfix
 * does; postconf gets the input with the newline added). postconf prints values with white
 * space runs folded to one space, so expanded values are compared that way. These allowances
 * are {@link PostconfOracle}'s, which the fuzz tests use too.
 */
class PostconfDifferentialTest {
    private static final List<Path> STOCK_FILES = List.of(
            Path.of("/etc/postfix/main.cf"),
            Path.of("/etc/postfix/main.cf.proto"),
            Path.of("/usr/share/postfix/main.cf.dist"),
            Path.of("/usr/share/postfix/main.cf.debian"),
            Path.of("/usr/share/postfix/main.cf.tls"));

    /** Parameters postmulti reads, looked up in every input whether set or not. */
    private static final List<String> INTERESTING = List.of(
            "config_directory", "queue_directory", "data_directory", "command_directory", "daemon_directory",
            "meta_directory", "shlib_directory", "mail_owner", "setgid_group", "sendmail_path", "mailq_path",
            "newaliases_path", "html_directory", "manpage_directory", "sample_directory", "readme_directory",
            "multi_instance_directories", "multi_instance_name", "multi_instance_group", "multi_instance_enable",
            "multi_instance_wrapper", "postmulti_start_commands", "postmulti_stop_commands",
            "postmulti_control_commands", "alternate_config_directories", "import_environment", "syslog_name",
            "syslog_facility", "mail_version", "mail_name");

    @TempDir
    Path dir;

    @BeforeEach
    void needPostconf() {
        String reason = Postconf.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static Stream<Arguments> inputs() {
        List<Arguments> inputs = new ArrayList<>();
        for (Path stock : STOCK_FILES) {
            if (Files.isReadable(stock)) inputs.add(Arguments.of(stock.toString(), read(stock)));
        }
        trickyInputs().forEach((label, content) -> inputs.add(Arguments.of(label, bytes(content))));
        return inputs.stream();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> trickyInputs() {
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put("continuations with comments", "relayhost = a\n# c\n  b\n\n\tc\n   \nmydomain = example.org\n  # x\n  more\n");
        inputs.put("duplicates", "relayhost = 1\nmydomain = d\nrelayhost = 2\n  two\nrelayhost=3\n");
        inputs.put("no final newline", "relayhost = 1\nmydomain = example.org");
        inputs.put("no final newline in a continuation", "relayhost = 1\n  2");
        inputs.put("crlf", "relayhost = 1\r\nmydomain = example.org\r\n  cont\r\n\r\n# c\r\nmyorigin\r = $mydomain\r\n");
        inputs.put("empty values", "relayhost =\nmydomain = \nmyorigin=\nalias_maps =   \t\n");
        inputs.put("tabs", "relayhost\t=\t[a]\t\n\tb\nmydomain\t= x\t y\n");
        inputs.put("non-ascii bytes", "# caf\u00e9 \u00ff\u0080\nrelayhost = \u00e9t\u00e9\nmydomain = \u00c3\u00a9.example\n  \u00fe\n");
        inputs.put("vertical tab and form feed", "relayhost\u000b= 1\f\n\u000bb\nmydomain = x\n");
        inputs.put("leading white space first", "  relayhost = 0\n  more\nmydomain = example.org\n");
        inputs.put("comments and blanks only", "# nothing\n\n   \n\t# more\n");
        inputs.put("empty", "");
        inputs.put("no spaces", "relayhost=[x]\nmydomain=y\nmyorigin=$mydomain\n");
        inputs.put("expansions", String.join("\n",
                "mydomain = example.org",
                "myhostname = mail.$mydomain",
                "myorigin = ${mydomain?{$mydomain}:{none}}",
                "relayhost = [$(myhostname)]:${{1} < {2}?{25}:{587}}",
                "alias_maps = ${nosuch_user_param:{hash:$config_directory/aliases}}",
                "alias_database = $$literal $alias_maps",
                "queue_directory = $config_directory/../spool/${multi_instance_name?{$multi_instance_name}:{x}}",
                "multi_instance_name = postfix-out",
                "data_directory = ${ queue_directory }/data",
                "smtpd_banner = $myhostname ESMTP ${mail_name} ${{$mail_name} == {Postfix}?{yes}}",
                "mynetworks = ${ my_user_param ? {a} : {b} } $my_user_param",
                "my_user_param = x  y",
                "syslog_name = ${multi_instance_name:{plain}}",
                ""));
        return inputs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void setMatchesPostconf(String label, byte[] input) {
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> present = firstNames(input, 2);
        for (String name : present) settings.put(name, "X " + name);
        settings.put("zz_new_param", "a  b");
        settings.put("aa_new_param", "");
        settings.put("mm_new_param", "$x {y}");
        List<String> arguments = new ArrayList<>();
        settings.forEach((name, value) -> arguments.add(name + "=" + value));
        byte[] theirs = postconfEdit(input, "-e", arguments);
        byte[] ours = MainCfEditor.set(input, settings);
        assertSameEdit(theirs, ours, settings.size() - present.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void commentOutMatchesPostconf(String label, byte[] input) {
        List<String> names = new ArrayList<>(firstNames(input, 3));
        names.add("no_such_param");
        assertSameEdit(postconfEdit(input, "-#", names), MainCfEditor.commentOut(input, names), 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void removeMatchesPostconf(String label, byte[] input) {
        List<String> names = new ArrayList<>(firstNames(input, 3));
        names.add("no_such_param");
        assertSameEdit(postconfEdit(input, "-X", names), MainCfEditor.remove(input, names), 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void expandedValuesMatchPostconf(String label, byte[] input) {
        Path directory = Postconf.directoryWith(dir, "conf", input);
        MainCf cf = MainCf.read(directory.resolve("main.cf"));
        Set<String> names = new LinkedHashSet<>(cf.rawValues().keySet());
        names.addAll(INTERESTING);
        List<String> arguments = new ArrayList<>(List.of("-x"));
        arguments.addAll(names);
        Postconf.Result result = Postconf.run(directory, arguments.toArray(String[]::new));
        assertEquals(0, result.status(), result.stderr());
        Map<String, String> theirs = settingsOf(result.out());
        assertTrue(theirs.keySet().containsAll(INTERESTING), theirs.keySet().toString());
        Parameters parameters = new Parameters(cf, directory.toString(), ParamDefaults.load(System.getenv()));
        theirs.forEach((name, value) -> {
            // $process_id is the pid of whichever postconf expands it.
            if (!parameters.raw(name).contains("process_id"))
                assertEquals(value, PostconfOracle.folded(parameters.expanded(name)), "expanded " + name);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void rawValuesMatchPostconf(String label, byte[] input) {
        Path directory = Postconf.directoryWith(dir, "conf", input);
        Postconf.Result result = Postconf.run(directory, "-n");
        assertEquals(0, result.status(), result.stderr());
        Map<String, String> theirs = settingsOf(result.out());
        MainCf cf = MainCf.read(directory.resolve("main.cf"));
        theirs.forEach((name, value) -> {
            String ours = name.equals("config_directory") && !cf.isSet(name) ? directory.toString() : cf.raw(name);
            assertEquals(value, PostconfOracle.folded(ours), "raw " + name);
        });
    }

    static Stream<Arguments> malformedFiles() {
        return Stream.of(
                Arguments.of("# c\n\nrelayhost = 1\n# x\n\njunk\n  more\n# y\n\n"),
                Arguments.of("relayhost = 1\njunk"),
                Arguments.of("relayhost = 1\n=2\n"),
                Arguments.of("a b = 1\n"),
                Arguments.of("a\tb\n"),
                Arguments.of("\0relayhost = 1\n"),
                Arguments.of("relayhost = 1\r\n\r\n# c\r\njunk\r\n"));
    }

    @ParameterizedTest
    @MethodSource("malformedFiles")
    void readingErrorsMatchPostconf(String content) {
        Path directory = Postconf.directoryWith(dir, "conf", bytes(content));
        Postconf.Result result = Postconf.run(directory, "-n");
        assertNotEquals(0, result.status());
        Fatal ours = assertThrows(Fatal.class, () -> MainCf.read(directory.resolve("main.cf")));
        assertTrue(result.stderr().contains("postconf: fatal: " + ours.getMessage() + "\n"),
                "ours: " + ours.getMessage() + "\ntheirs: " + result.stderr());
    }

    static Stream<Arguments> malformedValues() {
        return Stream.of(
                Arguments.of("[${abc", true),
                Arguments.of("[$(abc", true),
                Arguments.of("[$]", true),
                Arguments.of("[${}]", true),
                Arguments.of("${a b}", true),
                Arguments.of("${mydomain?{a}x}", true),
                Arguments.of("${mydomain?{a}:{b}  x}", true),
                Arguments.of("$(mydomain?{x)}", true),
                Arguments.of("${{a} == {a} x}", true),
                Arguments.of("${{a} == x}", true),
                Arguments.of("$relayhost", true),
                Arguments.of("$p1", true),
                Arguments.of("${{a} =~ {a}}", false),
                Arguments.of("${{99999999999999999999} == {1}}", false));
    }

    @ParameterizedTest
    @MethodSource("malformedValues")
    void expansionErrorsMatchPostconf(String value, boolean sameWords) {
        StringBuilder content = new StringBuilder("mydomain = example.org\nrelayhost = " + value + "\n");
        for (int i = 1; i <= 101; i++) content.append("p").append(i).append(" = $p").append(i + 1).append('\n');
        content.append("p102 = x\n");
        Path directory = Postconf.directoryWith(dir, "conf", bytes(content.toString()));
        Postconf.Result result = Postconf.run(directory, "-xh", "relayhost");
        assertNotEquals(0, result.status(), result.out());
        Parameters parameters = new Parameters(MainCf.read(directory.resolve("main.cf")), directory.toString(),
                ParamDefaults.load(System.getenv()));
        Expander.MacroError ours = assertThrows(Expander.MacroError.class,
                () -> Expander.expand(parameters.raw("relayhost"), parameters::raw));
        if (sameWords)
            assertTrue(result.stderr().contains("postconf: warning: " + ours.getMessage() + "\n"),
                    "ours: " + ours.getMessage() + "\ntheirs: " + result.stderr());
        Fatal wrapped = assertThrows(Fatal.class, () -> parameters.expanded("relayhost"));
        assertTrue(wrapped.getMessage().startsWith(directory.resolve("main.cf") + ", line "), wrapped.getMessage());
    }

    /** Random values built from the pieces of the syntax; postconf and we must agree on each. */
    @Test
    void randomValuesExpandAsInPostconf() {
        String[] pieces = {"$", "$$", "{", "}", "(", ")", "?", ":", " ", "\t", "x", "mydomain", "empty", "undef",
                "${", "$(", "{a}", "{$mydomain}", "==", "!=", "<=", ">", "1", "02", "_", ".", "$mydomain", "${a?{", "}:{"};
        java.util.Random random = new java.util.Random(20240607);
        // Few rounds: each runs postconf, which is slow on a busy machine.
        for (int round = 0; round < 40; round++) {
            StringBuilder value = new StringBuilder();
            for (int n = 1 + random.nextInt(14); n > 0; n--) value.append(pieces[random.nextInt(pieces.length)]);
            String content = "mydomain = example.org\nempty =\na = A$$\nrelayhost = " + value + "\n";
            Path directory = Postconf.directoryWith(dir, "fuzz" + round, bytes(content));
            Postconf.Result result = Postconf.run(directory, "-xh", "relayhost");
            Parameters parameters = new Parameters(MainCf.read(directory.resolve("main.cf")), directory.toString(),
                    ParamDefaults.builtIn());
            String label = "relayhost = " + value + "\npostconf: " + result.out() + result.stderr();
            try {
                String ours = parameters.expanded("relayhost");
                assertEquals(0, result.status(), label);
                assertEquals(PostconfOracle.folded(result.out().replaceAll("\n$", "")), PostconfOracle.folded(ours), label);
            } catch (Fatal e) {
                assertNotEquals(0, result.status(), label + "\nours: " + e.getMessage());
                assertTrue(result.stderr().contains("fatal: macro processing error"), label);
            }
        }
    }

    @Test
    void configDirectorySetInMainCfWinsAsInPostconf() {
        Path directory = Postconf.directoryWith(dir, "conf", bytes("config_directory = /other\nrelayhost = $config_directory\n"));
        Postconf.Result result = Postconf.run(directory, "-xh", "config_directory", "relayhost");
        Parameters parameters = new Parameters(MainCf.read(directory.resolve("main.cf")), directory.toString(),
                ParamDefaults.builtIn());
        assertEquals(result.out(), parameters.expanded("config_directory") + "\n" + parameters.expanded("relayhost") + "\n");
    }

    @Test
    void defaultsMatchPostconfD() {
        Postconf.Result result = Postconf.run(Postconf.directoryWith(dir, "conf", new byte[0]), "-d");
        Map<String, String> theirs = settingsOf(result.out());
        ParamDefaults defaults = ParamDefaults.load(System.getenv());
        for (String name : INTERESTING) assertEquals(theirs.get(name), defaults.get(name), name);
        assertFalse(theirs.isEmpty());
    }

    /** The first names defined at the start of a line, as postconf's editor finds them. */
    private static List<String> firstNames(byte[] input, int count) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : text(input).split("\n")) {
            if (line.isEmpty() || MainCf.isSpace(line.charAt(0)) || line.charAt(0) == '#') continue;
            String name = line.split("[ \t\r\n=]", 2)[0];
            // postconf's own name=value parsing never yields a name with NUL, \v or \f in it.
            if (!name.isEmpty() && name.chars().noneMatch(c -> c == 0 || MainCf.isSpace((char) c))) names.add(name);
            if (names.size() == count) break;
        }
        return List.copyOf(names);
    }

    /** postconf's result; it gets the input with a final newline, see the class comment. */
    private byte[] postconfEdit(byte[] input, String option, List<String> arguments) {
        Path directory = Postconf.directoryWith(dir, "edit" + option.charAt(1), PostconfOracle.terminated(input));
        List<String> command = new ArrayList<>(List.of(option));
        command.addAll(arguments);
        Postconf.Result result = Postconf.run(directory, command.toArray(String[]::new));
        assertEquals(0, result.status(), result.stderr());
        return read(directory.resolve("main.cf"));
    }

    /** Byte-exact except for the last {@code appended} lines, which may come in another order. */
    private static void assertSameEdit(byte[] theirs, byte[] ours, int appended) {
        String difference = PostconfOracle.editDifference(theirs, ours, appended);
        if (difference != null) fail(difference);
    }

    /** postconf's {@code name = value} output lines. */
    private static Map<String, String> settingsOf(String output) {
        Map<String, String> settings = new HashMap<>();
        for (String line : output.split("\n")) {
            if (line.isEmpty()) continue;
            MainCf.Setting setting = MainCf.splitNameValue(line);
            settings.put(setting.name(), setting.value());
        }
        return settings;
    }
}
