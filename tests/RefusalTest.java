import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, "refusals touch nothing": a refused {@code -e} writes nothing, not even a lock file
 * that it makes and removes again, so the primary configuration directory keeps its
 * modification and change times, as with the C program. Checked for each kind of refusal:
 * the command line's (a bad name, a malformed param=value), and those that need the tree's
 * state (an unknown instance, a name in use, an enabled instance to destroy, an instance to
 * import that is not there). A refusal is confirmed under the lock (see Lifecycle.run), which
 * lives outside the configuration (ConfigLock): the primary directory is not touched.
 */
class RefusalTest {
    @Test
    void aRefusedActionLeavesTheTreeAndItsTimesAsTheyWere() throws IOException {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            assertEquals(0, tree.run("-I", "postfix-a", "-e", "create").status());
            assertEquals(0, tree.run("-i", "postfix-a", "-e", "enable").status());
            Map<String, String> files = tree.snapshot();
            List<Object> times = times(tree.primary);
            List<List<String>> refusals = List.of(
                    List.of("-I", "bad/name", "-e", "create"),
                    List.of("-I", "postfix-b", "-e", "create", "queue_directory"),
                    List.of("-I", "postfix-b", "-e", "create", "queue_directory=relative"),
                    List.of("-i", "postfix-nonesuch", "-e", "enable"),
                    List.of("-i", "postfix-nonesuch", "-I", "postfix-c", "-e", "assign"),
                    List.of("-I", "postfix-a", "-e", "create"),
                    List.of("-i", "postfix-a", "-e", "destroy"),
                    List.of("-I", "postfix-gone", "-e", "import"),
                    List.of("-e", "assign"));
            for (List<String> refusal : refusals) {
                FixtureTree.Run run = tree.run(refusal.toArray(String[]::new));
                assertEquals(1, run.status(), refusal + ": " + run.err());
                assertEquals(files, tree.snapshot(), refusal + ": the tree is as it was");
                assertEquals(times, times(tree.primary), refusal + ": the primary directory's times are as they were");
                assertFalse(ConfigLock.exists(Host.live(), tree.primary.toString()), refusal + ": the lock file is gone");
            }
        }
    }

    private static List<Object> times(Path... directories) throws IOException {
        List<Object> times = new java.util.ArrayList<>();
        for (Path directory : directories)
            times.add(Files.readAttributes(directory, "unix:lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS).toString());
        return times;
    }
}
