import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The tool as admins start it, {@code ./jbang postmulti.java ...}: what the bootstrap hands the
 * program must be what the shell gave it. Compared with the real postmulti where it can run.
 */
@ExtendWith(ComparedWithReal.class)
class BootstrapTest {
    private static Fixture fixture;

    @BeforeAll
    static void tree() {
        fixture = Fixture.create("");
        // Built beforehand, so that JBang's "Building jar" note is not part of what a test sees.
        if (Files.isExecutable(Path.of("jbang"))) {
            Tool.Result build = Tool.exec(List.of("./jbang", "build", "postmulti.java"), Map.of(), null);
            assertEquals(0, build.status(), build.err());
        }
    }

    @AfterAll
    static void removeTree() {
        fixture.close();
    }

    /** JBang's own command line drops empty words; the bootstrap passes the script's words itself. */
    @Test
    void everyWordArrivesAsItWasGiven() {
        String[] args = {"-i", "-", "-x", "printf", "[%s]\\n", "a", "", "b  c", "", "$HOME", "it's", "*"};
        Tool.Result ours = bootstrap(Map.of(), "", args);
        assertEquals(0, ours.status(), ours.err());
        assertEquals("[a]\n[]\n[b  c]\n[]\n[$HOME]\n[it's]\n[*]\n", ours.out());
        if (RealPostmulti.canCompare()) assertEquals(fixture.real(args).out(), ours.out());
    }

    @Test
    void anEmptyWordStillCounts() {
        Tool.Result ours = bootstrap(Map.of(), "", "-x", "");
        assertEquals(1, ours.status());
        assertEquals("postmulti: fatal: execvp : No such file or directory\n", ours.err());
    }

    /** The bootstrap's own variables are for JBang: commands run by -x do not see them. */
    @Test
    void noBootstrapVariablesReachTheCommands() {
        Tool.Result ours = bootstrap(Map.of(), "", "-i", "-", "-x", "sh", "-c", "env | grep '^JBANG_' || true");
        assertEquals(0, ours.status(), ours.err());
        assertEquals("", ours.out());
    }

    /** Like the C program, a closed standard descriptor is /dev/null, not a failure or a stray file. */
    @Test
    void closedStandardDescriptorsAreDevNull() {
        Tool.Result ours = bootstrap(Map.of(), ">&- <&-", "-l");
        assertEquals(0, ours.status(), ours.err());
        assertEquals("", ours.err());
    }

    /** Commands run with umask 022, as the C program sets it whatever the caller's. */
    @Test
    void commandsRunWithPostfixsUmask() {
        assumeTrue(Files.isExecutable(Path.of("jbang")), "run from the project directory (./jbang not found)");
        Tool.Result ours = Tool.exec(List.of("sh", "-c", "umask 077; ./jbang postmulti.java --no-syslog -c "
                + RealPostmulti.quote(fixture.primary.toString()) + " -i - -x sh -c umask"), Map.of(), null);
        assertEquals(0, ours.status(), ours.err());
        assertEquals("0022\n", ours.out());
    }

    /** {@code ./jbang postmulti.java -c <fixture> args...}, with extra shell redirections. */
    private static Tool.Result bootstrap(Map<String, String> environment, String redirections, String... args) {
        assumeTrue(Files.isExecutable(Path.of("jbang")), "run from the project directory (./jbang not found)");
        List<String> words = new java.util.ArrayList<>(List.of("./jbang", "postmulti.java", "--no-syslog", "-c", fixture.primary.toString()));
        words.addAll(List.of(args));
        return Tool.exec(List.of("sh", "-c", RealPostmulti.quoteAll(words) + " " + redirections), environment, null);
    }
}
