import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** One instance's parameters as postconf -c DIR reads them: set, defaulted, and where a bad value is. */
class ParametersTest {
    private static Parameters of(String mainCf) {
        MainCf parsed = MainCf.parse("/etc/postfix-a/main.cf", mainCf.getBytes(StandardCharsets.ISO_8859_1));
        return new Parameters(parsed, "/etc/postfix-a", ParamDefaults.builtIn());
    }

    @Test
    void setDefaultedAndConfigDirectory() {
        Parameters parameters = of("relayhost = [$mail_name]\n");
        assertEquals("[$mail_name]", parameters.raw("relayhost"));
        assertEquals("[Postfix]", parameters.expanded("relayhost"));
        assertTrue(parameters.isExplicit("relayhost"));
        assertFalse(parameters.isExplicit("mail_name"));
        assertEquals("/etc/postfix-a", parameters.raw("config_directory"));
    }

    @Test
    void anotherInstancesBadValueNamesItsLine() {
        Parameters parameters = of("biff = no\nrelayhost = ${oops\n");
        assertEquals("/etc/postfix-a/main.cf, line 2: parameter relayhost: truncated macro reference: \"${oops\"",
                assertThrows(Fatal.class, () -> parameters.expanded("relayhost")).getMessage());
    }
}
