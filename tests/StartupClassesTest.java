import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a start costs beyond an empty JVM's: a listing and a usage error link no lambda and
 * compile no regular expression. The first lambda brings up java.lang.invoke (about a hundred
 * classes, and bytecode spun at run time), a regular expression its compiler and, through it, the
 * same: together a third of -l's time on one instance (docs/PERFORMANCE.md). One lambda on
 * that path takes it all back; this says where.
 */
class StartupClassesTest {
    /** (StringConcatFactory is loaded by the JDK's own start; javac's -XDstringConcat=inline keeps us from linking it.) */
    private static final List<String> COSTLY = List.of("java.lang.invoke.LambdaMetafactory ", "java.util.regex.Pattern ",
            "java.lang.invoke.LambdaForm$MH/");
    private Fixture fixture;

    @BeforeEach
    void tree() {
        fixture = Fixture.create("");
        Path secondary = fixture.secondary("postfix-out", "postfix-out", "mta", true);
        fixture.writePrimary("multi_instance_enable = yes\nmulti_instance_directories = " + secondary + "\n");
    }

    @AfterEach
    void removeTree() {
        fixture.close();
    }

    @Test
    void listing() {
        assertLean(0, "-l");
        assertLean(0, "-l", "-j", "-R", "-g", "mta");
    }

    @Test
    void usageError() {
        // Without --no-syslog the fatal error starts postlog, and the JDK's process start uses lambdas.
        assertLean(1, "--no-syslog", "-z");
    }

    private void assertLean(int status, String... args) {
        Path log = fixture.root.resolve("classes.log");
        List<String> command = new ArrayList<>(Tool.command(Tool.withConfigDirectory(fixture.primary, args)));
        command.add(1, "-Xlog:class+load:file=" + log);
        Tool.Result result = Tool.exec(command, Map.of(), null);
        assertEquals(status, result.status(), result.err());
        String loaded = TestFiles.read(log);
        assertTrue(loaded.contains(" postmulti source"), "no class loading was logged:\n" + loaded);
        for (String costly : COSTLY) {
            assertTrue(!loaded.contains(costly), "postmulti " + String.join(" ", args) + " loaded " + costly
                    + "(see where in the order of loading):\n" + around(loaded, costly));
        }
    }

    private static String around(String loaded, String costly) {
        int at = loaded.indexOf(costly);
        return loaded.substring(Math.max(0, loaded.lastIndexOf('\n', Math.max(0, at - 3000))), Math.min(loaded.length(), at + 200));
    }
}
