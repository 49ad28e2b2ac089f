import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ./jbang's fast path: once JBang has built the script, the next run with nothing changed
 * execs the program without JBang's JVM, and any change of what the program is made of makes
 * JBang run (and build) again. On a copy of the checkout with a cache of its own (the
 * bootstrap fetches JBang's jar into it), so that editing it disturbs nobody.
 */
class JbangFastPathTest {
    private static final String INVALID_OPTION = "invalid option -- '";
    private static Path copy;

    @BeforeAll
    static void copyCheckout() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("jbang")), "run from the project directory (./jbang not found)");
        assumeTrue(Tool.exec(List.of("sh", "-c", "command -v strace"), Map.of(), null).status() == 0,
                "strace is missing (apt-get install strace): it tells whether JBang ran");
        copy = Files.createTempDirectory("jbang-fast-path");
        Files.copy(Path.of("jbang"), copy.resolve("jbang"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(Path.of("postmulti.java"), copy.resolve("postmulti.java"));
        copyTree(Path.of("lib"), copy.resolve("lib"));
    }

    @AfterAll
    static void removeCopy() {
        if (copy != null) TestFiles.deleteTree(copy);
    }

    @Test
    void aChangedSourceTakesEffectOnTheNextRun() {
        assertTrue(usageError().jbangRan(), "the first run builds");
        Run unchanged = usageError();
        assertFalse(unchanged.jbangRan(), "nothing changed, yet JBang ran");
        assertTrue(unchanged.err.contains("postmulti: " + INVALID_OPTION + "z'"), unchanged.err);
        assertTrue(unchanged.trains(), "the first fast run should record its classes:\n" + unchanged.trace);

        Run dumping = usageError();
        assertTrue(dumping.dumps() && dumping.usesArchive(), "the second should make the archive and use it:\n" + dumping.trace);
        assertTrue(dumping.err.contains("postmulti: " + INVALID_OPTION + "z'"), dumping.err);
        Run archived = usageError();
        assertTrue(archived.usesArchive() && !archived.dumps() && !archived.jbangRan(), archived.trace);
        assertEquals(unchanged.err, archived.err);

        Path getopt = copy.resolve("lib/cli/Getopt.java");
        TestFiles.write(getopt, TestFiles.read(getopt).replace(INVALID_OPTION, "unknown option -- '"));
        Run edited = usageError();
        assertTrue(edited.jbangRan(), "lib/cli/Getopt.java was edited, yet JBang did not run");
        assertTrue(edited.err.contains("postmulti: unknown option -- 'z'"), edited.err);
        Run rebuilt = usageError();
        assertFalse(rebuilt.jbangRan(), "nothing changed since the rebuild, yet JBang ran");
        assertTrue(rebuilt.trains() && !rebuilt.usesArchive(), "the older build's archive was used:\n" + rebuilt.trace);

        // A new file that a //SOURCES pattern matches is a change too.
        TestFiles.write(copy.resolve("lib/cli/Added.java"), "final class Added {\n}\n");
        assertTrue(usageError().jbangRan(), "lib/cli/Added.java was added, yet JBang did not run");
    }

    /** What a run of {@code ./jbang postmulti.java -z} printed, and which programs it ran (execve). */
    private record Run(String err, String trace) {
        boolean jbangRan() {
            return trace.contains("dev.jbang.Main");
        }

        /** The program's JVM writes the classes it loads, for the archive. */
        boolean trains() {
            return trace.contains("-XX:DumpLoadedClassList=");
        }

        boolean dumps() {
            return trace.contains("\"-Xshare:dump\"");
        }

        /** The program's JVM (the one with the main class) runs with the archive. */
        boolean usesArchive() {
            return trace.lines().anyMatch(line -> line.contains("\"-XX:SharedArchiveFile=") && line.contains("\"postmulti\", "));
        }
    }

    private static Run usageError() {
        Path trace = copy.resolve("trace");
        Tool.Result result = Tool.exec(List.of("strace", "-f", "-qq", "-s", "256", "-e", "trace=execve", "-o", trace.toString(),
                copy.resolve("jbang").toString(), copy.resolve("postmulti.java").toString(), "--no-syslog", "-z"),
                Map.of("JBANG_BOOTSTRAP_CACHE", copy.resolve("cache").toString(), "JBANG_BOOTSTRAP_FORCE_JAR", "1"), null);
        assertEquals(1, result.status(), result.err());
        return new Run(result.err(), TestFiles.read(trace));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) Files.createDirectories(target);
                else Files.copy(file, target);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
