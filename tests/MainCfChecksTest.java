import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The checks every Postfix program makes on its own main.cf, one stage at a time and in the C
 * program's order (StartupDifferentialTest compares the same texts with the real postmulti, in a
 * child JVM; these run in this one, with the built-in defaults), and the bounds of each.
 */
class MainCfChecksTest {
    private static Parameters own(String mainCf) {
        MainCf parsed = MainCf.parse("/etc/postfix/main.cf", mainCf.getBytes(StandardCharsets.ISO_8859_1));
        return Parameters.ownConfiguration(parsed, "/etc/postfix", ParamDefaults.builtIn());
    }

    private static String refusal(String mainCf) {
        return assertThrows(Fatal.class, () -> MainCfChecks.check(own(mainCf.replace("\\n", "\n")))).getMessage();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "compatibility_level = bogus\\nmail_version =       | 'malformed compatibility level syntax: \"bogus\"'",
        "mail_version =\\nsmtputf8_enable = x               | 'bad string length 0 < 1: mail_version = '",
        "smtputf8_enable = x\\nmyhostname =                 | bad boolean configuration: smtputf8_enable = x",
        "syslog_name =\\nsoft_bounce = x                    | 'bad string length 0 < 1: syslog_name = '",
        "default_verp_delimiters = +=x                      | bad string length 3 > 2: default_verp_delimiters = +=x",
        "default_verp_delimiters = +                        | bad string length 1 < 2: default_verp_delimiters = +",
        "soft_bounce = x\\npostmulti_stop_commands = ${x    | bad boolean configuration: soft_bounce = x",
        "respectful_logging = x\\nqueue_directory = $nowhere | bad boolean configuration: respectful_logging = x",
        "queue_directory = $nowhere                         | 'bad string length 0 < 1: queue_directory = '",
        "postmulti_start_commands = ${x                     | dictionary mail_dict: macro processing error",
    })
    void theFirstFailingCheckIsFatal(String mainCf, String fatal) {
        assertEquals(fatal, refusal(mainCf));
    }

    @Test
    void valuesWithinTheBoundsPass() {
        MainCfChecks.check(own("default_verp_delimiters = +=\nsyslog_name = p\nmyhostname = h\nsoft_bounce = Yes\n"
                + "multi_instance_enable = NO\ncompatibility_level = 3.6\n"));
        MainCfChecks.check(own(""));
    }

    @Test
    void booleansInAnyCase() {
        Parameters parameters = own("soft_bounce = YES\nmulti_instance_enable = No\nbiff = maybe\n");
        assertTrue(MainCfChecks.bool(parameters, "soft_bounce"));
        assertFalse(MainCfChecks.bool(parameters, "multi_instance_enable"));
        assertFalse(MainCfChecks.bool(parameters, "no_such_parameter"));
        assertEquals("bad boolean configuration: biff = maybe",
                assertThrows(Fatal.class, () -> MainCfChecks.bool(parameters, "biff")).getMessage());
    }

    @Test
    void aBadExpansionInTheOwnConfigurationIsWarnedAboutThenFatal() {
        Fatal fatal = assertThrows(Fatal.class, () -> own("relayhost = ${oops\n").expanded("relayhost"));
        assertEquals("dictionary mail_dict: macro processing error", fatal.getMessage());
    }
}
