import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Postfix's quote_for_json rules, byte for byte. */
class JsonTest {
    @Test
    void plainTextPassesThrough() {
        assertEquals(" abcABC012.,[]{}/", Json.quote(" abcABC012.,[]{}/"));
    }

    @Test
    void commonControlsGetShortEscapes() {
        assertEquals("\\b\\f\\r\\n\\t", Json.quote("\b\f\r\n\t"));
    }

    @Test
    void otherControlsAndDelGetUnicodeEscapes() {
        assertEquals("\\u0000\\u0001\\u001F ~\\u007F", Json.quote("\0\u0001\u001f ~\u007f"));
    }

    @Test
    void quoteAndBackslashAreEscapedAndHighBytesPassThrough() {
        assertEquals("\\\\*\\\\uasd\\\"\u0080\u00c3\u00a9", Json.quote("\\*\\uasd\"\u0080\u00c3\u00a9"));
    }

    @Test
    void listLineShape() {
        Instance primary = new Instance("/etc/postfix", "/q", "/d", null, null, true, true);
        assertEquals("{\"name\": \"-\",\"group\": \"-\",\"enabled\": \"y\",\"config_directory\": \"/etc/postfix\"}\n",
                ListMode.jsonLine(primary));
        Instance odd = new Instance("/etc/p\"x\n", "/q", "/d", "postfix-\t", "g\\", false, false);
        assertEquals("{\"name\": \"postfix-\\t\",\"group\": \"g\\\\\",\"enabled\": \"n\",\"config_directory\": \"/etc/p\\\"x\\n\"}\n",
                ListMode.jsonLine(odd));
    }
}
