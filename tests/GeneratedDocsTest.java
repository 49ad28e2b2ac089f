//SOURCES ../tools/DocsModel.java
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    /** groff's strictest warnings (-ww) about the committed man page: none. */
    @Test
    void manPageIsCleanUnderGroff() {
        assumeTrue(Tool.exec(java.util.List.of("sh", "-c", "command -v groff"), java.util.Map.of(), null).status() == 0,
                "groff is not installed (Debian: groff-base)");
        Tool.Result groff = Tool.exec(java.util.List.of("groff", "-man", "-ww", "-z", "postmulti.1"), java.util.Map.of(), null);
        assertEquals(0, groff.status(), groff.both());
        assertEquals("", groff.both(), "groff -man -ww -z postmulti.1");
    }

    /** Every section the manual promises, in man-page order. */
    @Test
    void manPageHasEverySection() throws IOException {
        String page = Files.readString(Path.of("postmulti.1"), StandardCharsets.UTF_8);
        int at = 0;
        for (String section : java.util.List.of("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "FILES",
                "EXIT STATUS", "EXAMPLES", "DIFFERENCES FROM THE C PROGRAM", "SEE ALSO")) {
            int next = page.indexOf("\n.SH \"" + section + "\"\n", at);
            assertTrue(next > at, section + " missing or out of order");
            at = next;
        }
        for (String action : java.util.List.of("init", "create", "import", "deport", "destroy", "enable", "disable", "assign"))
            assertTrue(page.contains("\\fB" + action + "\\fP"), "DESCRIPTION of -e " + action);
        for (String variable : java.util.List.of("MAIL_CONFIG", "MAIL_VERBOSE", "POSTMULTI_WRAPPER"))
            assertTrue(page.contains("\\fB" + variable + "\\fP\n.RS"), "ENVIRONMENT: " + variable);
        assertTrue(page.contains("[\\-anv]"), "-n in the SYNOPSIS");
    }
}
