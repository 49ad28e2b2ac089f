import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Issue 15: {@code ansible-doc postmulti.postfix.instance} renders the module's manual from the
 * collection in this checkout (DOCUMENTATION, EXAMPLES and RETURN parse as Ansible's YAML), with
 * every option the module takes. Needs ansible-doc (ansible-core), not root.
 */
class AnsibleDocTest {

    static final List<String> OPTIONS = List.of("name", "state", "group", "enabled", "settings",
            "config_directory", "queue_directory", "data_directory", "primary", "postmulti");

    @Test
    void theModulesManualRendersWithEveryOption() throws IOException {
        assumeTrue(SandboxedPostfix.which("ansible-doc").isPresent(), "needs ansible-doc (apt-get install ansible-core)");
        Path home = Files.createTempDirectory("ansible-doc-home");
        Tool.Result doc;
        try {
            doc = Tool.exec(List.of("env", "-i", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=" + home,
                    "ANSIBLE_COLLECTIONS_PATH=" + AnsibleCollectionTest.findCheckout().resolve("ansible"),
                    "ansible-doc", "postmulti.postfix.instance"), Map.of(), null);
        } finally {
            SandboxedPostfix.deleteRecursively(home);
        }
        Tool.Result rendered = doc;
        assertEquals(0, doc.status(), rendered::both);
        String manual = doc.out();
        assertTrue(manual.startsWith("> POSTMULTI.POSTFIX.INSTANCE"), rendered::both);
        for (String option : OPTIONS) {
            String entry = option.equals("name") ? "= name" : "- " + option;
            assertTrue(manual.contains("\n" + entry + "\n"), () -> "no option " + option + " in\n" + manual);
        }
        for (String section : List.of("NOTES:", "EXAMPLES:", "RETURN VALUES:", "- instance", "- actions", "- diff")) {
            assertTrue(manual.contains(section), () -> "no " + section + " in\n" + manual);
        }
        assertEquals("", doc.err(), rendered::both);
    }
}
