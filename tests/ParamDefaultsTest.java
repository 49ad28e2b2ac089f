import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where default values come from: the postconf found first on PATH (here scripts standing in for
 * it, with the answers and failures a real one can give), else the built-in upstream values,
 * which also fill in what a postconf does not name. A postconf that fails is warned about once.
 */
class ParamDefaultsTest {
    private Path work;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException {
        work = Files.createTempDirectory("param-defaults");
        Msg.redirect(new PrintStream(err, true, StandardCharsets.ISO_8859_1));
    }

    @AfterEach
    void tearDown() {
        Msg.redirect(System.err);
        TestFiles.deleteTree(work);
    }

    private Path postconf(String directory, String script) throws IOException {
        Path file = Files.createDirectories(work.resolve(directory)).resolve("postconf");
        TestFiles.write(file, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void builtInValuesAreUpstreams() {
        ParamDefaults defaults = ParamDefaults.builtIn();
        assertEquals("/var/db/postfix", defaults.get("data_directory"));
        assertEquals("stop abort drain quick-stop", defaults.get("postmulti_stop_commands"));
        assertNull(defaults.get("no_such_parameter"));
    }

    @Test
    void theFirstPostconfOnPathAnswersAndBuiltInValuesFillIn() throws IOException {
        postconf("first", "echo 'daemon_directory = /first'");
        Path notExecutable = postconf("nonexec", "echo 'daemon_directory = /nonexec'");
        Files.setPosixFilePermissions(notExecutable, PosixFilePermissions.fromString("rw-r--r--"));
        Files.createDirectories(work.resolve("dir/postconf"));
        postconf("second", "echo 'daemon_directory = /second'");
        String path = "::" + work.resolve("nonexec") + ":" + work.resolve("dir") + ":" + work.resolve("first") + ":" + work.resolve("second");
        Path found = ParamDefaults.findPostconf(Map.of("PATH", path));
        assertEquals(work.resolve("first/postconf"), found);
        ParamDefaults defaults = ParamDefaults.fromPostconf(found, null);
        assertEquals("/first", defaults.get("daemon_directory"));
        assertEquals("/var/spool/postfix", defaults.get("queue_directory"));
        assertEquals("", err.toString(StandardCharsets.ISO_8859_1));
        Path usual = Path.of("/usr/sbin/postconf");
        assertEquals(Files.isExecutable(usual) ? usual : null, ParamDefaults.findPostconf(Map.of("PATH", work.resolve("nonexec").toString())));
        assertEquals(Files.isExecutable(usual) ? usual : null, ParamDefaults.findPostconf(Map.of()));
    }

    @Test
    void postconfIsAskedWithoutMailConfigAndForItsDefaults() throws IOException {
        Path postconf = postconf("bin", "echo \"mail_owner = ${MAIL_CONFIG-none}\"; echo \"mail_name = $*\"");
        ParamDefaults defaults = ParamDefaults.fromPostconf(postconf, null);
        assertEquals("none", defaults.get("mail_owner"));
        assertEquals("-d", defaults.get("mail_name"));
    }

    @Test
    void aFailingPostconfLeavesTheBuiltInValues() throws IOException {
        Path postconf = postconf("bin", "echo 'daemon_directory = /partial'; exit 3");
        ParamDefaults defaults = ParamDefaults.fromPostconf(postconf, null);
        assertEquals("/usr/libexec/postfix", defaults.get("daemon_directory"));
        assertEquals("/usr/libexec/postfix", defaults.get("daemon_directory"));
        assertEquals("postmulti: warning: " + postconf + " -d: exit status 3; using built-in default values\n",
                err.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aPostconfThatCannotRunLeavesTheBuiltInValues() throws IOException {
        Path postconf = postconf("bin", "");
        TestFiles.write(postconf, "not a script");
        ParamDefaults defaults = ParamDefaults.fromPostconf(postconf, null);
        assertEquals("postfix", defaults.get("mail_owner"));
        assertEquals(true, err.toString(StandardCharsets.ISO_8859_1).startsWith("postmulti: warning: " + postconf + " -d: "));
    }

    @Test
    void postconfsOutputLineByLine() {
        Map<String, String> values = ParamDefaults.parse("a = 1\n\n  \nb =\nnot a setting\nc = x  y\n");
        assertEquals(Map.of("a", "1", "b", "", "c", "x  y"), values);
    }
}
