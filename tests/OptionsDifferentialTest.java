import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Command lines the C program refuses or accepts, with the texts scripts grep for. Each case is
 * checked against the expected text, and against the real postmulti when it is installed.
 */
@ExtendWith(ComparedWithReal.class)
class OptionsDifferentialTest {
    /** The C program's usage fatal, with its newline. */
    static final String USAGE = "postmulti: fatal: Usage:postmulti -l [-v] [-a] [-g group] [-i instance] | "
            + "postmulti -p [-v] [-a] [-g group] [-i instance] command... | "
            + "postmulti -x [-v] [-a] [-i name] [-g group] command... | "
            + "postmulti -e action [-v] [-a] [-i name] [-g group] [-I name] [-G group] [param=value ...]\n";
    private static Fixture fixture;

    /**
     * A primary and two secondaries, so that options that change the order or the selection
     * show: {@code postfix-a} (group g) and {@code mta1}, named without the {@code postfix-}
     * prefix (group G).
     */
    @BeforeAll
    static void tree() {
        fixture = Fixture.create("");
        String a = fixture.secondary("postfix-a", "postfix-a", "g", true).toString();
        String mta1 = fixture.secondary("mta1", "mta1", "G", false).toString();
        fixture.writePrimary("multi_instance_enable = yes\nmulti_instance_directories = " + a + " " + mta1 + "\n");
    }

    @AfterAll
    static void removeTree() {
        fixture.close();
    }

    @ParameterizedTest(name = "postmulti {0}")
    @CsvSource(delimiter = '|', value = {
        "-z                            | invalid option -- 'z'",
        "-e                            | option requires an argument -- 'e'",
        "--foo                         | invalid option -- '-'",
        "-lz                           | invalid option -- 'z'",
        "-z -G a -G b                  | invalid option -- 'z'",
    })
    void getoptComplaintsPrecedeTheUsage(String args, String complaint) {
        assertRefused(args.trim().split("\\s+"), "postmulti: " + complaint + "\n" + USAGE);
    }

    @ParameterizedTest(name = "postmulti {0}")
    @CsvSource(delimiter = '|', value = {
        "''                                   | Specify exactly one of '-e', '-l', '-p', '-x'",
        "--                                   | Specify exactly one of '-e', '-l', '-p', '-x'",
        "-l -p                                | Specify exactly one of '-e', '-l', '-p', '-x'",
        "-l -e init                           | Specify exactly one of '-e', '-l', '-p', '-x'",
        "-e create -e import                  | Specify exactly one of '-e', '-l', '-p', '-x'",
        "-l foo                               | Command not allowed with '-l'",
        "-l -                                 | Command not allowed with '-l'",
        "-l -- -l                             | Command not allowed with '-l'",
        "-l -- -a                             | Command not allowed with '-l'",
        "-e bogus                             | Invalid '-e' edit action 'bogus'. Specify 'create', 'destroy', 'import', 'deport', 'enable', 'disable', 'assign' or 'init'",
        "-eCreate                             | Invalid '-e' edit action 'Create'. Specify 'create', 'destroy', 'import', 'deport', 'enable', 'disable', 'assign' or 'init'",
        "-lR -i x -g y                        | Specity no more than one of '-a', '-g', '-i'",
        "-a -i x -l                           | Specity no more than one of '-a', '-g', '-i'",
        "-i x -i y -l                         | Specity no more than one of '-a', '-g', '-i'",
        "-G a -G b -z                         | Specify at most one '-G' option",
        "-I postfix-a -I postfix-b            | Specify at most one '-I' option",
        "-e create -e create -I postfix-x -R  | The '-p' and '-e' options preclude the use of '-R'",
        "-x                                   | Command required with '-p' or '-x' option",
        "-p                                   | Command required with '-p' or '-x' option",
        "-p -R true                           | The '-p' and '-e' options preclude the use of '-R'",
        "-l -I foo                            | Cannot assign instance name or group without '-e assign'",
        "-x -G g true                         | Cannot assign instance name or group without '-e assign'",
        "-e enable -I postfix-a               | Cannot assign instance name or group with '-e enable'",
        "-e init -G grp                       | Cannot assign instance name or group with '-e init'",
        "-e assign -i x                       | Specify new instance name or group with '-e assign'",
        "-e enable x=y                        | Parameter overrides not valid with '-e enable'",
        "-e destroy -i x a=b                  | Parameter overrides not valid with '-e destroy'",
    })
    void refusals(String args, String fatal) {
        assertRefused(args.isEmpty() ? new String[0] : args.trim().split("\\s+"), "postmulti: fatal: " + fatal + "\n");
    }

    /** Exit status 1, nothing on stdout, {@code stderr} on stderr; and the same as the C program. */
    private static void assertRefused(String[] argv, String stderr) {
        Tool.Result ours = fixture.inProcess(argv);
        assertEquals(1, ours.status());
        assertEquals("", ours.out());
        assertEquals(stderr, ours.err());
        compareWithReal(argv, ours);
    }

    /** Accepted command lines, and the names (first column, "-" for the primary) that -l lists. */
    @ParameterizedTest(name = "postmulti {0}")
    @CsvSource(delimiter = '|', value = {
        "-l --             | - postfix-a mta1",
        "-i -- -l          | ''",
        "-i=x -l           | ''",
        "-lix              | ''",
        "-a -a -l          | - postfix-a mta1",
        "-l -l             | - postfix-a mta1",
        "-vl               | - postfix-a mta1",
        "-R -R -l          | - postfix-a mta1",
        "-l -R -R -R       | mta1 postfix-a -",
        "-lR               | mta1 postfix-a -",
        "-l -i -           | -",
        "-l -i/nowhere     | ''",
        "-l -i a           | postfix-a",
        "-l -i postfix-a   | postfix-a",
        "-l -i mta1        | mta1",
        "-l -i postfix-mta1 | ''",
        "-l -g g           | postfix-a",
        "-l -g G           | mta1",
        "-lR -a            | mta1 postfix-a -",
    })
    void accepted(String args, String listed) {
        String[] argv = args.trim().split("\\s+");
        Tool.Result ours = fixture.inProcess(argv);
        assertEquals(0, ours.status(), ours.err());
        assertEquals("", ours.err());
        assertEquals(listed, ours.out().lines().map(line -> line.split(" ")[0]).collect(Collectors.joining(" ")));
        compareWithReal(argv, ours);
    }

    @org.junit.jupiter.api.Test
    void aDifferentMailConfigIsRefused() {
        Tool.Result ours = Tool.run(Map.of("MAIL_CONFIG", fixture.root.toString()), null, "-c", fixture.primary.toString(), "-l");
        assertEquals(1, ours.status());
        assertEquals("postmulti: fatal: open " + fixture.root + "/main.cf: No such file or directory\n", ours.err());
        compareMailConfig(fixture.root.toString(), ours);
        TestFiles.write(fixture.root.resolve("var/main.cf"), "");
        ours = Tool.run(Map.of("MAIL_CONFIG", fixture.root.resolve("var").toString()), null, "-c", fixture.primary.toString(), "-l");
        assertEquals(1, ours.status());
        assertEquals("postmulti: fatal: Non-default configuration directory: MAIL_CONFIG=" + fixture.root.resolve("var") + "\n", ours.err());
        compareMailConfig(fixture.root.resolve("var").toString(), ours);
        Tool.Result sameDirectory = Tool.run(Map.of("MAIL_CONFIG", fixture.primary + "/../postfix/"), null, "-c", fixture.primary.toString(), "-l");
        assertEquals(0, sameDirectory.status(), "postfix(1) may spell the -c directory its own way: " + sameDirectory.err());
        Tool.Result same = Tool.run(Map.of("MAIL_CONFIG", fixture.primary.toString()), null, "-c", fixture.primary.toString(), "-l");
        assertEquals(0, same.status(), same.err());
        // The default configuration directory is never refused, as with the C program.
        Tool.Result standard = Tool.run(Map.of("MAIL_CONFIG", "/etc/postfix"), null, "-c", fixture.primary.toString(), "-l");
        assertEquals(0, standard.status(), standard.err());
        compareMailConfig("/etc/postfix", standard);
        // Only that spelling: another is read (here this host's main.cf) and refused.
        assumeTrue(Fixture.POSTFIX_INSTALLED, "Postfix not installed: no /etc/postfix/main.cf of this host to be refused");
        Tool.Result slash = Tool.run(Map.of("MAIL_CONFIG", "/etc/postfix/"), null, "-c", fixture.primary.toString(), "-l");
        assertEquals("postmulti: fatal: Non-default configuration directory: MAIL_CONFIG=/etc/postfix/\n", slash.err());
        compareMailConfig("/etc/postfix/", slash);
    }

    /** The real program, whose primary is /etc/postfix, given the same MAIL_CONFIG. */
    private static void compareMailConfig(String mailConfig, Tool.Result ours) {
        if (!RealPostmulti.canCompare()) return;
        Tool.Result real = RealPostmulti.run(Map.of(java.nio.file.Path.of("/etc/postfix"), fixture.primary),
                Map.of("MAIL_CONFIG", mailConfig), "-l");
        assertEquals(ours.status(), real.status());
        assertEquals(ours.err(), real.err());
    }

    /** Same status, stdout and stderr as the C program; the ordinary check above runs even without it. */
    private static void compareWithReal(String[] argv, Tool.Result ours) {
        if (!RealPostmulti.canCompare()) return;
        Tool.Result real = fixture.real(argv);
        assertEquals(real.status(), ours.status(), "exit status");
        assertEquals(real.out().replace(fixture.primary.toString(), "/etc/postfix"),
                ours.out().replace(fixture.primary.toString(), "/etc/postfix"), "stdout");
        assertEquals(real.err().replace(fixture.primary.toString(), "/etc/postfix"),
                ours.err().replace(fixture.primary.toString(), "/etc/postfix"), "stderr");
    }

    @org.junit.jupiter.api.Test
    void theOracleIsHereWhenPostfixIs() {
        assumeTrue(Fixture.POSTFIX_INSTALLED, "Postfix not installed: differential checks skipped");
        assumeTrue(System.getenv("POSTMULTI_TEST_NO_REAL_POSTMULTI") == null, "POSTMULTI_TEST_NO_REAL_POSTMULTI is set");
        assertEquals(null, RealPostmulti.unavailableReason(), "Postfix is installed but the real postmulti cannot run");
    }
}
