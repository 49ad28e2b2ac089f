import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our long options (extensions; the C program has none) as getopt_long treats them: the value
 * attached with '=' or as the next word, a missing value or an unwanted one refused with
 * glibc's words before the usage; and -v, which the C program counts, passed on to the commands
 * run as MAIL_VERBOSE. In this JVM, so that bench/mutation.sh sees them.
 */
class LongOptionsTest {
    private static final String USAGE = OptionsDifferentialTest.USAGE;
    private static Fixture fixture;

    @BeforeAll
    static void tree() {
        fixture = Fixture.create("");
    }

    @AfterAll
    static void removeTree() {
        fixture.close();
    }

    @Test
    void aLongOptionTakesItsValueAsTheNextWord() {
        FixtureTree.Run run = InProcess.run("--config-directory", fixture.primary.toString(), "-l");
        assertEquals("", run.err());
        assertEquals(0, run.status());
        assertEquals("-               -               y         " + fixture.primary + "\n", run.out());
    }

    @Test
    void aLongOptionTakesItsValueAfterAnEqualsSign() {
        FixtureTree.Run run = InProcess.run("--config-directory=" + fixture.primary, "-l");
        assertEquals(0, run.status(), run.err());
        assertEquals("-               -               y         " + fixture.primary + "\n", run.out());
    }

    @Test
    void aLongOptionWithoutItsValueIsRefused() {
        FixtureTree.Run run = InProcess.run("-c", fixture.primary.toString(), "-l", "--root");
        assertEquals(1, run.status());
        assertEquals("", run.out());
        assertEquals("postmulti: option '--root' requires an argument\n" + USAGE, run.err());
    }

    @Test
    void aLongFlagGivenAValueIsRefused() {
        FixtureTree.Run run = InProcess.run("-c", fixture.primary.toString(), "--no-syslog=yes", "-l");
        assertEquals(1, run.status());
        assertEquals("postmulti: option '--no-syslog' doesn't allow an argument\n" + USAGE, run.err());
    }

    @Test
    void aLongFlagWithoutAValueIsTaken() {
        FixtureTree.Run run = InProcess.run("-c", fixture.primary.toString(), "--dry-run", "-l");
        assertEquals(1, run.status());
        assertEquals("postmulti: fatal: The '-n' option is available only with '-e'\n", run.err());
    }

    @Test
    void theStatusOptionsGoWithListingOnly() {
        assertEquals("postmulti: fatal: The '--status' option is available only with '-l'\n",
                fixture.inProcess("--status", "-x", "true").err());
        assertEquals("postmulti: fatal: The '--metrics' option is available only with '-l'\n",
                fixture.inProcess("--metrics", "-x", "true").err());
        assertEquals("postmulti: fatal: The '--metrics' option precludes the use of '-j'\n",
                fixture.inProcess("--metrics", "-j", "-l").err());
        Tool.Result metrics = fixture.inProcess("--metrics", "-l");
        assertEquals(0, metrics.status(), metrics.err());
        assertTrue(metrics.out().startsWith("# HELP "), metrics.out());
        Tool.Result status = fixture.inProcess("--status", "-l");
        assertEquals(0, status.status(), status.err());
        assertFalse(status.out().contains("# HELP"), status.out());
        assertTrue(status.out().contains(fixture.primary.toString()), status.out());
    }

    @Test
    void verboseIsPassedOnAsMailVerbose() {
        String[] mailVerboseSet = {"-i", "-", "-x", "sh", "-c", "test \"${MAIL_VERBOSE+set}\" = set"};
        assertEquals(0, fixture.inProcess(prepend("-v", mailVerboseSet)).status());
        assertEquals(0, fixture.inProcess(prepend("-vv", mailVerboseSet)).status());
        assertEquals(1, fixture.inProcess(mailVerboseSet).status());
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
