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
 * Issue 15: {@code ansible-doc} renders the manual of each module of the collection in this
 * checkout (DOCUMENTATION, EXAMPLES and RETURN parse as Ansible's YAML), with every option the
 * module takes, and says nothing on stderr. Needs ansible-doc (ansible-core), not root.
 */
class AnsibleDocTest {

    @Test
    void instanceManualRendersWithEveryOption() throws IOException {
        String manual = manual("postmulti.postfix.instance");
        for (String option : List.of("state", "group", "enabled", "settings", "config_directory",
                "queue_directory", "data_directory", "primary", "postmulti")) {
            assertOption(manual, "- " + option);
        }
        assertOption(manual, "= name");
        for (String section : List.of("NOTES:", "EXAMPLES:", "RETURN VALUES:", "- instance", "- actions", "- diff")) {
            assertTrue(manual.contains(section), () -> "no " + section + " in\n" + manual);
        }
    }

    @Test
    void instancesInfoManualRendersWithEveryOption() throws IOException {
        String manual = manual("postmulti.postfix.instances_info");
        for (String option : List.of("name", "group", "status", "primary", "postmulti")) assertOption(manual, "- " + option);
        for (String section : List.of("EXAMPLES:", "RETURN VALUES:", "- instances", "- status_available")) {
            assertTrue(manual.contains(section), () -> "no " + section + " in\n" + manual);
        }
    }

    static void assertOption(String manual, String entry) {
        assertTrue(manual.contains("\n" + entry + "\n"), () -> "no option " + entry + " in\n" + manual);
    }

    /** ansible-doc MODULE's output, in a clean environment with a throw-away HOME. */
    static String manual(String module) throws IOException {
        assumeTrue(SandboxedPostfix.which("ansible-doc").isPresent(), "needs ansible-doc (apt-get install ansible-core)");
        Path home = Files.createTempDirectory("ansible-doc-home");
        try {
            Tool.Result doc = Tool.exec(List.of("env", "-i", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=" + home,
                    "ANSIBLE_COLLECTIONS_PATH=" + AnsibleCollectionTest.findCheckout().resolve("ansible"),
                    "ansible-doc", module), Map.of(), null);
            assertEquals(0, doc.status(), doc::both);
            assertEquals("", doc.err(), doc::both);
            assertTrue(doc.out().startsWith("> " + module.toUpperCase() + " "), doc::both);
            return doc.out();
        } finally {
            SandboxedPostfix.deleteRecursively(home);
        }
    }
}
