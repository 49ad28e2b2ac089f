import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README command 1: the shipped border-MTA example lists its three instances, Postfix or not. */
class ExampleTreeTest {
    private static final Path PRIMARY = Path.of("examples/border-mta/etc/postfix").toAbsolutePath();

    @Test
    void listsTheWalkthroughInstances() {
        Tool.Result result = Tool.run("-c", PRIMARY.toString(), "-l");
        assertEquals(0, result.status(), result.err());
        assertEquals("", result.err(), "a newcomer's first command shows the list and nothing else");
        assertEquals(String.format("%-15s %-15s %-9s %s\n", "-", "-", "y", PRIMARY)
                + String.format("%-15s %-15s %-9s %s\n", "postfix-out", "mta", "y", PRIMARY + "-out")
                + String.format("%-15s %-15s %-9s %s\n", "postfix-in", "mta", "y", PRIMARY + "-in"), result.out());
    }

    @Test
    void jsonLines() {
        Tool.Result result = Tool.run("-c", PRIMARY.toString(), "-l", "-j", "-g", "mta");
        assertEquals(0, result.status(), result.err());
        assertEquals("{\"name\": \"postfix-out\",\"group\": \"mta\",\"enabled\": \"y\",\"config_directory\": \"" + PRIMARY + "-out\"}\n"
                + "{\"name\": \"postfix-in\",\"group\": \"mta\",\"enabled\": \"y\",\"config_directory\": \"" + PRIMARY + "-in\"}\n",
                result.out());
    }
}
