import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test runner (tests/run.java) reports what happened: it is built here with one small test
 * class that passes, fails and skips, and run as CI runs it. A runner that hid a failure or a
 * skip would let every other test break unnoticed.
 */
class RunnerTest {
    private static final String SAMPLE = """
            import org.junit.jupiter.api.Assertions;
            import org.junit.jupiter.api.Assumptions;
            import org.junit.jupiter.api.Test;

            class SampleTest {
                @Test
                void passes() {
                }

                @Test
                void fails() {
                    Assertions.assertEquals("expected", "actual");
                }

                @Test
                void skips() {
                    Assumptions.assumeTrue(false, "no oracle here");
                }
            }
            """;

    @TempDir
    static Path classes;

    @BeforeAll
    static void buildTheRunnerWithASampleTest() throws IOException {
        Path sample = Files.writeString(classes.resolve("SampleTest.java"), SAMPLE);
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), "tests/run.java", sample.toString());
        assertEquals(0, status, "javac tests/run.java SampleTest.java");
    }

    private static Tool.Result runner(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes + ":" + System.getProperty("java.class.path"), "run"));
        command.addAll(List.of(args));
        return Tool.exec(command, Map.of(), null);
    }

    @Test
    void aFailureIsShownCountedAndMakesTheStatusOne() {
        Tool.Result run = runner();
        assertEquals(1, run.status(), run.both());
        assertTrue(run.out().contains("FAILED SampleTest.fails\n  org.opentest4j.AssertionFailedError: expected: <expected> but was: <actual>\n"),
                run.out());
        assertTrue(run.out().contains("SKIPPED SampleTest.skips: no oracle here\n"), run.out());
        assertTrue(run.out().endsWith("1 passed, 1 failed, 1 skipped\n"), run.out());
    }

    @Test
    void oneMethodCanBeRunAlone() {
        Tool.Result run = runner("SampleTest#passes");
        assertEquals(0, run.status(), run.both());
        assertEquals("1 passed, 0 failed, 0 skipped\n", run.out());
    }

    @Test
    void aFilterThatMatchesNothingIsAnError() {
        Tool.Result run = runner("NoSuchClass");
        assertEquals(2, run.status(), run.both());
        assertEquals("run: no test class matches 'NoSuchClass' (known: SampleTest)\n", run.err());
    }
}
