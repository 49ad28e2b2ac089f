import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * examples/monitoring/postmulti-metrics, run as its systemd unit runs it (a bare environment):
 * the metrics land whole in postfix_instances.prom, no temporary file is left, and a failed run
 * leaves the previous file as it was.
 */
class MetricsExampleTest {
    static final Path SCRIPT = Path.of("examples/monitoring/postmulti-metrics").toAbsolutePath();

    @Test
    void writesTheMetricsAtomicallyAndKeepsTheOldFileOnFailure() throws IOException {
        try (Fixture tree = Fixture.create("")) {
            tree.secondary("postfix-out", "postfix-out", "mta", true);
            tree.writePrimary("multi_instance_directories = " + tree.root.resolve("etc/postfix-out") + "\n");
            Path collector = tree.mkdirs("textfile");
            String ours = String.join(" ", Tool.command("--no-syslog", "-c", tree.primary.toString()));

            Tool.Result run = Tool.exec(List.of(SCRIPT.toString(), collector.toString()), bareEnvironment(ours), null);
            assertEquals(0, run.status(), run::both);
            Path metrics = collector.resolve("postfix_instances.prom");
            String written = TestFiles.read(metrics);
            assertTrue(written.contains("postfix_instance_enabled{name=\"postfix-out\",group=\"mta\""), written);
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(metrics)));
            assertEquals(List.of("postfix_instances.prom"), names(collector));

            Tool.Result failed = Tool.exec(List.of(SCRIPT.toString(), collector.toString()), bareEnvironment("false"), null);
            assertNotEquals(0, failed.status());
            assertEquals(written, TestFiles.read(metrics), "the previous metrics stay");
            assertEquals(List.of("postfix_instances.prom"), names(collector), "no temporary file left");
        }
    }

    private static Map<String, String> bareEnvironment(String postmulti) {
        Map<String, String> environment = new HashMap<>();
        System.getenv().keySet().forEach(name -> environment.put(name, null));
        environment.put("PATH", "/bin:/usr/bin:/sbin:/usr/sbin");
        environment.put("POSTMULTI", postmulti);
        return environment;
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(entry -> entry.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
