import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the C program does before it looks at its command line: it reads the primary's main.cf
 * (MAIL_CONFIG's, should that differ), warns about what the reader finds, makes the checks every
 * Postfix program makes, and exports MAIL_LOGTAG; and what it prints about secondaries, which it
 * reads through postconf. Each case is compared with the real postmulti.
 *
 * <p>Files are dated in the past: Postfix reads a main.cf changed within the last second again
 * until it settles, repeating its warnings, which a test would otherwise see at random.
 */
class StartupDifferentialTest {
    private static final String USAGE_START = "postmulti: fatal: Usage:postmulti -l ";
    private Fixture fixture;

    @BeforeEach
    void tree() {
        assumeTrue(RealPostmulti.unavailableReason() == null, String.valueOf(RealPostmulti.unavailableReason()));
        fixture = Fixture.create("");
    }

    @AfterEach
    void removeTree() {
        if (fixture != null) fixture.close();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource(delimiter = '|', value = {
        "multi_instance_enable = maybe                          | -l | postmulti: fatal: bad boolean configuration: multi_instance_enable = maybe",
        "multi_instance_enable =                                | -z | 'postmulti: fatal: bad boolean configuration: multi_instance_enable = '",
        "multi_instance_enable = $flag\\nflag = true            | -e init | postmulti: fatal: bad boolean configuration: multi_instance_enable = true",
        "multi_instance_enable = maybe\\nsoft_bounce = x        | -l | postmulti: fatal: bad boolean configuration: soft_bounce = x",
        "soft_bounce = x\\nsmtputf8_enable = x                  | -l | postmulti: fatal: bad boolean configuration: smtputf8_enable = x",
        "queue_directory =\\nsoft_bounce = x                    | -l | 'postmulti: fatal: bad string length 0 < 1: queue_directory = '",
        "respectful_logging = x\\nqueue_directory = $nowhere    | -l | postmulti: fatal: bad boolean configuration: respectful_logging = x",
        "default_verp_delimiters = +=x                          | -l | postmulti: fatal: bad string length 3 > 2: default_verp_delimiters = +=x",
        "syslog_name =                                          | -z | 'postmulti: fatal: bad string length 0 < 1: syslog_name = '",
        "compatibility_level = bogus\\nmail_version =          | -l | 'postmulti: fatal: malformed compatibility level syntax: \"bogus\"'",
        "compatibility_level = $nothing                         | -z | 'postmulti: fatal: malformed compatibility level syntax: \"\"'",
        "relayhost = ${oops\\nsoft_bounce = maybe              | -l | 'postmulti: warning: truncated macro reference: \"${oops\"\\npostmulti: fatal: dictionary mail_dict: macro processing error'",
        "multi_instance_name = ${oops                           | -z | 'postmulti: warning: truncated macro reference: \"${oops\"\\npostmulti: fatal: dictionary mail_dict: macro processing error'",
        "queue_directory = /q/$a\\na = ${b                      | -l | 'postmulti: warning: truncated macro reference: \"${b\"\\npostmulti: fatal: dictionary mail_dict: macro processing error'",
        "postmulti_stop_commands = ${x\\nsoft_bounce = x        | -l | 'postmulti: fatal: bad boolean configuration: soft_bounce = x'",
    })
    void theChecksOfEveryPostfixProgramComeFirst(String settings, String args, String fatal) {
        primary(settings.replace("\\n", "\n"));
        Tool.Result ours = compare(args.split(" "));
        assertEquals(1, ours.status());
        assertEquals(fatal.replace("\\n", "\n") + "\n", ours.err());
    }

    @Test
    void booleansInAnyCaseAreFineInSingleInstanceMode() {
        primary("multi_instance_enable = No\nsoft_bounce = YES\n");
        Tool.Result ours = compare("-l");
        assertEquals(0, ours.status(), ours.err());
    }

    @Test
    void overriddenEntriesAndLeadingWhiteSpaceAreWarnedAboutBeforeTheUsage() {
        String text = "  leading = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" + TestFiles.read(fixture.primary.resolve("main.cf"))
                + "biff = no\nbiff = no\nbiff = yes\n";
        write(fixture.primary.resolve("main.cf"), text);
        Tool.Result ours = compare("-z");
        assertEquals(List.of(
                "postmulti: warning: /etc/postfix/main.cf: logical line must not start with whitespace: \"  leading = xxxxxxxxxxxxxxxxxx...\"",
                "postmulti: warning: /etc/postfix/main.cf, line 10: overriding earlier entry: biff=no",
                "postmulti: invalid option -- 'z'"), ours.err().lines().limit(3).toList());
        assertEquals(true, ours.err().lines().toList().get(3).startsWith(USAGE_START));
    }

    /** MAIL_CONFIG's main.cf is the one read, warned about and checked, before the refusal. */
    @Test
    void aDifferentMailConfigIsReadInsteadOfThePrimary() {
        Path other = fixture.root.resolve("other");
        write(other.resolve("main.cf"), "biff = no\nbiff = yes\n");
        write(fixture.primary.resolve("main.cf"), "this line is broken\n");
        Tool.Result ours = compareWithMailConfig(other.toString(), "-l");
        assertEquals("postmulti: warning: " + other + "/main.cf, line 2: overriding earlier entry: biff=no\n"
                + "postmulti: fatal: Non-default configuration directory: MAIL_CONFIG=" + other + "\n", ours.err());
        write(other.resolve("main.cf"), "soft_bounce = perhaps\n");
        ours = compareWithMailConfig(other.toString(), "-l");
        assertEquals("postmulti: fatal: bad boolean configuration: soft_bounce = perhaps\n", ours.err());
    }

    @Test
    void commandsGetThePrimarysSyslogNameAsMailLogtag() {
        primary("multi_instance_name = postfix-main\n");
        String[] args = {"-x", "sh", "-c", "echo \"${MAIL_LOGTAG-unset}\""};
        Tool.Result ours = compare(args);
        assertEquals("postfix-main\n", ours.out());
        ours = compareWithMailConfig(null, Map.of("MAIL_LOGTAG", "inherited"), args);
        assertEquals("postfix-main\n", ours.out());
        primary("syslog_name = mail-$multi_instance_name\n");
        assertEquals("mail-\n", compare(args).out());
    }

    /**
     * The C program reads a secondary through postconf, whose output squeezes each run of
     * blanks in a value to one space, and whose warnings (main.cf read, master.cf missing)
     * reach stderr, terminal or not.
     */
    @Test
    void secondariesAsPostconfShowsThem() throws IOException {
        Path a = fixture.secondary("a", "queue_directory = " + fixture.root.resolve("qa") + "\ndata_directory = "
                + fixture.root.resolve("da") + "\nmulti_instance_name = postfix-a\nmulti_instance_group = one \t two\n"
                + "   three\nmulti_instance_enable = yes\nmulti_instance_enable = YES\n");
        Files.delete(a.resolve("master.cf"));
        age(a.resolve("main.cf"));
        primary("multi_instance_directories = " + a + "\n");
        Tool.Result ours = compare("-l");
        assertEquals(0, ours.status());
        assertEquals(String.format("%-15s %-15s %-9s %s\n%-15s %-15s %-9s %s\n", "-", "-", "n", "/etc/postfix",
                "postfix-a", "one two three", "y", a), ours.out());
        assertEquals("/usr/sbin/postconf: warning: " + a + "/main.cf, line 7: overriding earlier entry: multi_instance_enable=yes\n"
                + "/usr/sbin/postconf: warning: open " + a + "/master.cf: No such file or directory\n", ours.err());
    }

    /**
     * Postfix reads main.cf into a dictionary that already holds config_directory (the
     * primary's, or postconf's -c directory): setting it to something else is an override too.
     */
    @Test
    void settingConfigDirectoryOverridesTheOneBuiltIn() {
        Path a = fixture.secondary("a", "queue_directory = $config_directory/q\ndata_directory = " + fixture.root.resolve("da")
                + "\nconfig_directory = " + fixture.root.resolve("etc/a") + "\nconfig_directory = /x\n");
        age(a.resolve("main.cf"));
        primary("config_directory = " + fixture.root.resolve("elsewhere") + "\nmulti_instance_directories = " + a + "\n");
        Tool.Result ours = compare("-x", "sh", "-c", "echo $config_directory $queue_directory");
        assertEquals("/etc/postfix " + fixture.root.resolve("var/spool/postfix") + "\n" + a + " /x/q\n", ours.out());
        assertEquals(List.of(
                "postmulti: warning: /etc/postfix/main.cf, line 7: overriding earlier entry: config_directory=/etc/postfix",
                "/usr/sbin/postconf: warning: " + a + "/main.cf, line 4: overriding earlier entry: config_directory=" + a),
                ours.err().lines().toList());
    }

    @Test
    void aWriteErrorIsNamed() {
        Tool.Result ours = Tool.exec(List.of("sh", "-c", RealPostmulti.quoteAll(Tool.command("-c", fixture.primary.toString(), "-l"))
                + " >/dev/full"), Map.of(), null);
        Tool.Result real = RealPostmulti.runWithStdout(fixture.primary, "/dev/full", "-l");
        assertEquals("postmulti: fatal: error writing output: No space left on device\n", ours.err());
        assertEquals(real.status(), ours.status());
        assertEquals(real.err(), ours.err());
    }

    private void primary(String settings) {
        fixture.writePrimary(settings);
        age(fixture.primary.resolve("main.cf"));
    }

    private static void write(Path file, String text) {
        TestFiles.write(file, text);
        age(file);
    }

    private static void age(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Tool.Result compare(String... args) {
        return compareWithMailConfig(null, Map.of(), args);
    }

    private Tool.Result compareWithMailConfig(String mailConfig, String... args) {
        return compareWithMailConfig(mailConfig, Map.of(), args);
    }

    /** Ours with -c, the real one with the primary on /etc/postfix, in the same environment; both must agree. */
    private Tool.Result compareWithMailConfig(String mailConfig, Map<String, String> extra, String... args) {
        Map<String, String> environment = new java.util.HashMap<>(extra);
        environment.put("MAIL_CONFIG", mailConfig);
        String[] ourArgs = new String[args.length + 3];
        ourArgs[0] = "--no-syslog";
        ourArgs[1] = "-c";
        ourArgs[2] = fixture.primary.toString();
        System.arraycopy(args, 0, ourArgs, 3, args.length);
        Tool.Result ours = Tool.run(environment, null, ourArgs);
        Tool.Result real = RealPostmulti.run(Map.of(Path.of("/etc/postfix"), fixture.primary), environment, args);
        String primary = fixture.primary.toString();
        Tool.Result normalized = new Tool.Result(ours.status(), ours.out().replace(primary, "/etc/postfix"),
                ours.err().replace(primary, "/etc/postfix"));
        assertEquals(real.status(), normalized.status(), "exit status; real stderr: " + real.err());
        assertEquals(real.out(), normalized.out(), "stdout");
        assertEquals(real.err(), normalized.err(), "stderr");
        return normalized;
    }
}
