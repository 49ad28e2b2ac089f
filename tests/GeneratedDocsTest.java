//SOURCES ../tools/DocsModel.java
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The committed postmulti.bash and postmulti.1 must be what tools/generate-docs.java makes of
 * the current picocli model, so that an option added, renamed or re-described shows up in the
 * completion and the man page too.
 */
class GeneratedDocsTest {
    private static final String REGENERATE = "./jbang tools/generate-docs.java";

    /** In memory and quick: picocli's completion script for the model as compiled into this run. */
    @Test
    void bashCompletionIsCurrent() throws IOException {
        String wanted = DocsModel.bashCompletion();
        String committed = Files.readString(Path.of("postmulti.bash"), StandardCharsets.UTF_8);
        assertTrue(wanted.equals(committed), "postmulti.bash is out of date: regenerate it with " + REGENERATE);
    }

    /**
     * The man page needs Asciidoctor (JRuby, tens of MB) which the test classpath does not
     * carry, so the generator itself renders both files in memory and compares them.
     */
    @Test
    void generatorFindsBothFilesCurrent() throws IOException, InterruptedException {
        Path log = Files.createTempFile("generate-docs", ".txt");
        try {
            Process process = new ProcessBuilder("./jbang", "tools/generate-docs.java", "--check")
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            if (!process.waitFor(15, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(REGENERATE + " --check timed out");
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), "postmulti.bash or postmulti.1 is out of date (or the generator "
                    + "failed): regenerate them with " + REGENERATE + "\n" + output);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
