import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Life-cycle actions running at the same time, as separate processes of our tool, on one primary.
 * Each action holds the primary's lock (a file under /run/postmulti, see {@link ConfigLock}) from
 * reading main.cf and the instance list to its last change, so none loses another's work.
 *
 * <p>What the real C postmulti does in the same test (Postfix 3.7.11, as root, the tree's primary
 * bind-mounted on /etc/postfix in a private mount namespace, 16 background
 * {@code postmulti -I postfix-cN -e create config_directory=... queue_directory=... data_directory=...}
 * then {@code wait}; three rounds): all 16 exit with status 0, all 16 instance directories are
 * made, and multi_instance_directories names exactly one of them, every round: 15 of 16
 * instances are lost. Each run reads the list, and its helper script's {@code postconf -e}
 * writes the list it computed, overwriting the others' (postconf's own edit lock only
 * serializes the file writes). In a first try with an incomplete copy of /etc/postfix, postconf
 * also warned "overriding earlier entry: multi_instance_directories=..." while reading main.cf
 * during the run.
 */
class LifecycleConcurrencyTest {
    private static final int INSTANCES = 16;
    private static final int ROUNDS = 3;

    @Test
    void sixteenConcurrentCreatesAreAllRegisteredThenAllDestroyed() throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            try (FixtureTree tree = FixtureTree.initialized("")) {
                List<String> expected = new ArrayList<>();
                List<Process> creates = new ArrayList<>();
                for (int i = 1; i <= INSTANCES; i++) {
                    expected.add(tree.etc("postfix-c" + i));
                    creates.add(start(tree, "-I", "postfix-c" + i, "-G", "g" + (i % 3), "-e", "create"));
                }
                finish(creates, "create, round " + round);

                String primary = tree.primaryMainCf();
                MainCf parsed = MainCf.parse("main.cf", primary.getBytes(StandardCharsets.ISO_8859_1));
                assertEquals(List.of(), parsed.warnings(), "round " + round + ": one definition of each name");
                List<String> listed = List.of(parsed.raw("multi_instance_directories").split(" "));
                assertEquals(new HashSet<>(expected), new HashSet<>(listed), "round " + round + ": every instance registered");
                assertEquals(INSTANCES, listed.size());
                for (String dir : expected) {
                    MainCf instance = MainCf.parse(dir, tree.mainCf(dir).getBytes(StandardCharsets.ISO_8859_1));
                    assertEquals(List.of(), instance.warnings());
                    assertEquals("postfix-" + dir.substring(dir.lastIndexOf("postfix-c") + 8), instance.raw("multi_instance_name"));
                    assertFalse(Files.exists(Path.of(dir, ".tmp")));
                }
                assertEquals(INSTANCES + 1, tree.list().size());
                assertFalse(Files.exists(ConfigLock.path(Host.live(), tree.primary.toString())), "the last holder removed the lock file");
                assertEquals(INSTANCES, tree.postfixLog().stream().filter(l -> l.contains(" set-permissions |")).count());

                List<Process> destroys = new ArrayList<>();
                for (int i = 1; i <= INSTANCES; i++) destroys.add(start(tree, "-i", "c" + i, "-e", "destroy"));
                finish(destroys, "destroy, round " + round);
                assertEquals("", FixtureTree.setting(tree.primaryMainCf(), "multi_instance_directories"));
                for (String dir : expected) assertFalse(Files.exists(Path.of(dir)), dir);
                assertEquals(1, tree.list().size());
            }
        }
    }

    @Test
    void anActionWaitsForTheLock() throws Exception {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            Path lockFile = ConfigLock.path(Host.live(), tree.primary.toString());
            String before;
            Process create;
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock held = channel.lock()) {
                before = tree.primaryMainCf();
                create = start(tree, "-I", "postfix-w", "-e", "create");
                assertFalse(create.waitFor(3, TimeUnit.SECONDS), "waits while another holds the lock");
                assertEquals(before, tree.primaryMainCf());
                assertFalse(Files.exists(Path.of(tree.etc("postfix-w"))));
            }
            assertTrue(create.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, create.exitValue(), Files.readString(errorFile(tree, create)));
            assertEquals(tree.etc("postfix-w"), FixtureTree.setting(tree.primaryMainCf(), "multi_instance_directories"));
            assertFalse(Files.exists(lockFile), "removed by the action once done");
        }
    }

    @Test
    void aLockFileLeftByAKilledRunIsTakenOverAndRemoved() throws Exception {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            Path lockFile = ConfigLock.path(Host.live(), tree.primary.toString());
            Files.writeString(lockFile, "");
            Tool.Result create = tree.ours("-I", "postfix-k", "-e", "create");
            assertEquals(0, create.status(), create.err());
            assertEquals(tree.etc("postfix-k"), FixtureTree.setting(tree.primaryMainCf(), "multi_instance_directories"));
            assertFalse(Files.exists(lockFile));
        }
    }

    @Test
    void aWaiterWhoseLockFileWasRemovedStartsOverOnTheNewOne() throws Exception {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            Path lockFile = ConfigLock.path(Host.live(), tree.primary.toString());
            Process create;
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock held = channel.lock()) {
                create = start(tree, "-I", "postfix-w", "-e", "create");
                assertFalse(create.waitFor(3, TimeUnit.SECONDS), "waits while another holds the lock");
                // As a holder does when it is done: remove the file, then let go. Another
                // action takes the name meanwhile; the waiter must wait for that one too.
                Files.delete(lockFile);
                try (FileChannel next = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                     FileLock nextHeld = next.lock()) {
                    held.release();
                    assertFalse(create.waitFor(3, TimeUnit.SECONDS), "waits for the holder of the new lock file");
                    assertFalse(Files.exists(Path.of(tree.etc("postfix-w"))));
                }
            }
            assertTrue(create.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, create.exitValue(), Files.readString(errorFile(tree, create)));
            assertFalse(Files.exists(lockFile));
        }
    }

    @Test
    void aDryRunNeitherWaitsForNorCreatesTheLock() throws Exception {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            Tool.Result dry = tree.ours("-n", "-I", "postfix-d", "-e", "create");
            assertEquals(0, dry.status(), dry.err());
            assertFalse(Files.exists(ConfigLock.path(Host.live(), tree.primary.toString())));
        }
    }

    private static final java.util.Map<Process, Path> ERRORS = new java.util.concurrent.ConcurrentHashMap<>();

    private static Process start(FixtureTree tree, String... args) throws IOException {
        Path err = Files.createTempFile(tree.root, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(Tool.command(tree.withPrimary(args)))
                .redirectInput(new File("/dev/null")).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile());
        builder.environment().remove("MAIL_CONFIG");
        Process process = builder.start();
        ERRORS.put(process, err);
        return process;
    }

    private static Path errorFile(FixtureTree tree, Process process) {
        return ERRORS.get(process);
    }

    private static void finish(List<Process> processes, String what) throws Exception {
        Set<String> failures = new HashSet<>();
        for (Process process : processes) {
            assertTrue(process.waitFor(300, TimeUnit.SECONDS), what + ": timed out");
            String err = Files.readString(ERRORS.remove(process));
            if (process.exitValue() != 0 || !err.isEmpty()) failures.add(process.exitValue() + ": " + err);
        }
        assertEquals(Set.of(), failures, what);
    }
}
