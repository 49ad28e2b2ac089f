import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17 end to end, with real Postfix in one {@link SandboxedPostfix} (root, private mount
 * namespace, throwaway overlays): signals during destroy, SIGTERM during set-permissions, a
 * read-only primary, and a full disk at each step of create. Our tool runs in a process group
 * of its own (setsid), as a shell job would, so a signal can go to the whole group.
 * Skipped (with the reason) unless root with Postfix and namespaces. About a minute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FaultsE2eTest {
    private static final long SEED = Long.getLong("faults.seed", System.nanoTime());

    SandboxedPostfix sb;
    E2ePostmulti pm;
    int instances;

    @BeforeAll
    void sandbox() throws Exception {
        Optional<String> why = SandboxedPostfix.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "sandbox unavailable: " + why.orElse(""));
        sb = SandboxedPostfix.create();
        pm = new E2ePostmulti(sb);
        SandboxedPostfix.writeMainCf(sb.primaryConfigDir(), sb.primarySettings("primary.example.test"));
        sb.installMasterCf(sb.primaryConfigDir(), null);
        ok(tool("-e", "init"));
    }

    @AfterAll
    void close() {
        if (sb != null) sb.close();
    }

    // ----------------------------------------------------------------- signals during destroy

    /**
     * SIGINT and SIGTERM to the tool's process group at random moments of a destroy (within the
     * time an unsignalled destroy takes here, so that the trials fit a quick or a loaded machine):
     * each trial ends with the instance registered and whole (status 128+N), or removed
     * completely, and never with a status 0 that leaves something. A signal that comes too late
     * (the tool has exited) leaves a complete destroy; most must come in time.
     */
    @Test
    void aSignalAtARandomMomentOfDestroyLeavesNothingHalfDone() throws Exception {
        Random random = new Random(SEED);
        int destroyMillis = 0;
        for (int warm = 0; warm < 2; warm++) { // the second one's time: the first may include a build of the tool
            String warmName = newInstance();
            long started = System.nanoTime();
            Process plain = startTool(Map.of(), "-i", warmName, "-e", "destroy");
            assertEquals(0, finish(plain), errors(plain));
            destroyMillis = (int) Math.max(50, (System.nanoTime() - started) / 1_000_000);
        }
        int delivered = 0;
        for (int trial = 0; trial < 8; trial++) {
            String signal = trial % 2 == 0 ? "INT" : "TERM";
            String name = newInstance();
            Process destroy = startTool(Map.of(), "-i", name, "-e", "destroy");
            Thread.sleep(random.nextInt(destroyMillis));
            boolean inTime = signalGroupIfAlive(destroy, signal);
            int status = finish(destroy);
            String context = "seed " + SEED + ", trial " + trial + " (SIG" + signal + "), status " + status + ":\n" + errors(destroy);
            if (inTime) delivered++;
            else assertEquals(0, status, context);
            if (registered(name)) {
                assertEquals(128 + signalNumber(signal), status, context);
                assertWhole(name, context);
            } else {
                assertRemoved(name, context);
            }
        }
        assertTrue(delivered >= 4, "only " + delivered + " of 8 signals came before the tool had exited (seed " + SEED + ")");
    }

    /** Right after the registration is gone (the commit point): the removals are finished first, status 0. */
    @Test
    void aSignalRightAfterTheCommitPointFinishesTheRemovals() throws Exception {
        int commitPoint = lastPoint(newInstance(), "after step Edit");
        for (String signal : List.of("INT", "TERM")) {
            String name = newInstance();
            Process destroy = startTool(Map.of("POSTMULTI_TEST_PAUSE_AT", String.valueOf(commitPoint),
                    "POSTMULTI_TEST_PAUSE_MS", "5000"), "-i", name, "-e", "destroy");
            awaitLine(destroy, "test pause " + commitPoint + ": after step Edit");
            signalGroup(destroy, signal);
            int status = finish(destroy);
            String err = errors(destroy);
            assertEquals(0, status, err);
            assertTrue(err.contains("postmulti: warning: SIG" + signal
                    + " arrived after the change was committed; the action was finished first\n"), err);
            assertFalse(registered(name));
            assertRemoved(name, err);
        }
    }

    // ----------------------------------------------------------------- set-permissions

    /**
     * SIGTERM to the tool alone while post-install runs (its grandchild): the whole helper group is
     * stopped and gone before the undo, the undo is complete, and nothing we started outlives us.
     */
    @Test
    void sigtermDuringSetPermissionsLeavesNoHelperAndNoInstance() throws Exception {
        Path postInstall = Path.of("/usr/lib/postfix/sbin/post-install");
        assumeTrue(Files.isExecutable(postInstall), "no " + postInstall);
        // post-install is slowed down inside the sandbox only (a bind mount over it), so the signal meets it.
        Path slow = sb.root().resolve("slow-post-install");
        Files.writeString(slow, "#!/bin/sh\necho started > " + sb.root().resolve("post-install.started") + "\nsleep 30\nexec "
                + sb.root().resolve("post-install.real") + " \"$@\"\n");
        Files.copy(postInstall, sb.root().resolve("post-install.real"));
        Tool.exec(List.of("chmod", "755", slow.toString(), sb.root().resolve("post-install.real").toString()), Map.of(), null);
        ok(sb.run("mount", "--bind", slow.toString(), postInstall.toString()));
        try {
            List<String> before = liveInside();
            String name = "postfix-perm";
            Process create = startTool(Map.of(), "-I", name, "-e", "create");
            Path started = sb.root().resolve("post-install.started");
            long deadline = System.currentTimeMillis() + 60_000;
            while (!Files.exists(started) && System.currentTimeMillis() < deadline) Thread.sleep(50);
            assertTrue(Files.exists(started), "post-install started\n" + errors(create));
            sb.run("kill", "-TERM", String.valueOf(create.pid()));
            assertEquals(143, finish(create), errors(create));
            assertEquals(before, liveInside(), "no process of ours outlives the tool");
            assertFalse(registered(name));
            assertFalse(Files.exists(sb.configDir(name)), "config directory undone");
            assertFalse(Files.exists(sb.queueDir(name)), "queue directory undone");
            assertFalse(Files.exists(sb.dataDir(name)), "data directory undone");
        } finally {
            sb.run("umount", postInstall.toString());
        }
    }

    // ----------------------------------------------------------------- read-only primary

    /** enable, disable and assign of a secondary work on a read-only primary; create and destroy write nothing. */
    @Test
    void aReadOnlyPrimaryBlocksOnlyWhatWritesIt() throws Exception {
        String name = newInstance();
        Path primary = sb.primaryConfigDir();
        ok(sb.run("mount", "--bind", primary.toString(), primary.toString()));
        try {
            ok(sb.run("mount", "-o", "remount,ro,bind", primary.toString()));
            ok(tool("-i", name, "-e", "enable"));
            ok(tool("-i", name, "-e", "disable"));
            ok(tool("-i", name, "-G", "grouped", "-e", "assign"));
            assertEquals("grouped", postconf(sb.configDir(name), "multi_instance_group"));
            Map<String, String> before = snapshot(true);
            SandboxedPostfix.Result create = tool("-I", "postfix-ro", "-e", "create");
            assertEquals(1, create.exitCode);
            assertEquals("postmulti: fatal: write " + primary + "/main.cf: Read-only file system\n", create.stderr);
            SandboxedPostfix.Result destroy = tool("-i", name, "-e", "destroy");
            assertEquals(1, destroy.exitCode);
            assertEquals("postmulti: fatal: write " + primary + "/main.cf: Read-only file system\n", destroy.stderr);
            assertEquals(before, snapshot(true), "nothing written");
        } finally {
            sb.run("umount", primary.toString());
        }
        ok(tool("-i", name, "-e", "destroy"));
    }

    // ----------------------------------------------------------------- a full disk

    /**
     * Create with its directories on a small tmpfs that runs out at each step in turn: no inode
     * for the first directory, no room for main.cf, no room for the primary's main.cf (the
     * primary on a full tmpfs of its own), no inode for set-permissions' queue directories.
     * Each time: the exact message, status 1, and the tree as before.
     */
    @Test
    void aFullDiskAtEachStepOfCreateIsUndone() throws Exception {
        Path full = Files.createDirectories(sb.root().resolve("full"));
        String config = full + "/etc";
        String queue = full + "/spool";
        String data = full + "/lib";
        String[] create = {"-I", "postfix-full", "-e", "create", "config_directory=" + config, "queue_directory=" + queue,
                "data_directory=" + data};

        assertFullDisk(full, "nr_inodes=1", "mkdir: cannot create directory '" + config + "': No space left on device\n", create);
        assertFullDisk(full, "size=8k", "postmulti: fatal: write " + config + "/.tmp/main.cf: No space left on device\n", create);
        // Room for the instance's directories and the files above, not for the queue's subdirectories.
        assertFullDisk(full, "nr_inodes=9", "postmulti: fatal: '/usr/sbin/postfix -c " + config
                + " set-permissions' failed (exit status 1); the changes were undone\n", create);

        Path primary = sb.primaryConfigDir();
        Path copy = Files.createDirectories(sb.root().resolve("primary-copy"));
        ok(sb.run("cp", "-a", primary + "/.", copy.toString()));
        ok(sb.run("sh", "-c", "mount -t tmpfs -o size=" + (du(primary) + 64) + "k pm-full-primary " + primary
                + " && cp -a " + copy + "/. " + primary + " && (dd if=/dev/zero of=" + primary + "/filler bs=4k 2>/dev/null; true)"));
        try {
            Map<String, String> before = snapshot();
            SandboxedPostfix.Result result = tool("-I", "postfix-full", "-e", "create");
            assertEquals(1, result.exitCode, result.toString());
            assertEquals("postmulti: fatal: write " + primary + "/main.cf: No space left on device\n", result.stderr);
            assertEquals(before, snapshot());
        } finally {
            sb.run("umount", primary.toString());
        }
    }

    private void assertFullDisk(Path mountPoint, String tmpfsOptions, String message, String... args) throws IOException {
        ok(sb.run("mount", "-t", "tmpfs", "-o", tmpfsOptions + ",mode=755", "pm-full", mountPoint.toString()));
        try {
            Map<String, String> before = snapshot();
            SandboxedPostfix.Result result = tool(args);
            assertEquals(1, result.exitCode, tmpfsOptions + ": " + result);
            assertTrue(result.stderr.endsWith(message), tmpfsOptions + ": " + result.stderr);
            assertEquals(before, snapshot(), tmpfsOptions + ": the tree as before");
            try (Stream<Path> left = Files.list(mountPoint)) {
                assertEquals(List.of(), left.toList(), tmpfsOptions + ": nothing left on the full file system");
            }
        } finally {
            sb.run("umount", mountPoint.toString());
        }
    }

    // ----------------------------------------------------------------- helpers

    /** A new disabled instance (real create, real set-permissions); returns its name. */
    private String newInstance() {
        String name = "postfix-s" + (++instances);
        ok(tool("-I", name, "-e", "create"));
        return name;
    }

    /** The number of the last crash point named {@code where} in a destroy of {@code name} (which it destroys). */
    private int lastPoint(String name, String where) throws Exception {
        Process destroy = startTool(Map.of("POSTMULTI_TEST_PAUSE_AT", "0"), "-i", name, "-e", "destroy");
        assertEquals(0, finish(destroy), errors(destroy));
        int point = -1;
        for (String line : errors(destroy).split("\n")) {
            if (line.startsWith("postmulti: test pause ") && line.endsWith(": " + where))
                point = Integer.parseInt(line.substring("postmulti: test pause ".length(), line.indexOf(':', 22)));
        }
        assertTrue(point > 0, errors(destroy));
        return point;
    }

    private SandboxedPostfix.Result tool(String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=/bin:/usr/bin:/sbin:/usr/sbin"));
        cmd.addAll(pm.command());
        cmd.addAll(List.of(args));
        return sb.run(cmd, Map.of(), null, Duration.ofMinutes(2));
    }

    private final Map<Process, Path> errorFiles = new java.util.HashMap<>();

    /**
     * The tool as the leader of a process group of its own (setsid), stderr to a file. SIGINT is
     * set back to its default first (perl, since sh cannot): a runner started in the background
     * of a shell has it ignored, and the tool would inherit that.
     */
    private Process startTool(Map<String, String> environment, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("setsid", "perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die", "--",
                "env", "-i", "PATH=/bin:/usr/bin:/sbin:/usr/sbin"));
        environment.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(pm.command());
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(sb.logDir(), "tool", ".err");
        Process process = sb.processBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        errorFiles.put(process, err);
        return process;
    }

    private String errors(Process process) throws IOException {
        return Files.readString(errorFiles.get(process), StandardCharsets.ISO_8859_1);
    }

    private void awaitLine(Process process, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!errors(process).contains(text) && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertTrue(errors(process).contains(text), errors(process));
    }

    /** kill -SIGNAL -- -PID: to the tool's whole process group (it leads one: setsid execs in place). */
    private void signalGroup(Process process, String signal) {
        ok(sb.run("kill", "-s", signal, "--", "-" + process.pid()));
    }

    /** signalGroup, unless the group is gone already: whether the signal was sent. */
    private boolean signalGroupIfAlive(Process process, String signal) {
        SandboxedPostfix.Result kill = sb.run("kill", "-s", signal, "--", "-" + process.pid());
        if (kill.ok()) return true;
        assertTrue(kill.stderr.contains("No such process"), kill.toString());
        return false;
    }

    private static int finish(Process process) throws InterruptedException {
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the tool ended");
        return process.exitValue();
    }

    private static int signalNumber(String signal) {
        return signal.equals("INT") ? 2 : 15;
    }

    private boolean registered(String name) {
        return postconf(sb.primaryConfigDir(), "multi_instance_directories").contains(sb.configDir(name).toString());
    }

    private String postconf(Path configDirectory, String parameter) {
        return sb.postconf(configDirectory, "-h", parameter).orThrow().stdout.trim();
    }

    private void assertWhole(String name, String context) {
        assertTrue(Files.isRegularFile(sb.configDir(name).resolve("main.cf")), context);
        assertTrue(Files.isRegularFile(sb.configDir(name).resolve("master.cf")), context);
        assertTrue(Files.isDirectory(sb.queueDir(name).resolve("maildrop")), context);
        assertTrue(Files.isDirectory(sb.dataDir(name)), context);
    }

    /** Gone, or each path that stays is named on stderr. */
    private void assertRemoved(String name, String err) {
        for (Path path : List.of(sb.configDir(name), sb.queueDir(name), sb.dataDir(name))) {
            if (Files.exists(path)) assertTrue(err.contains(path.toString()), path + " stays unnamed: " + err);
        }
        assertFalse(Files.exists(sb.configDir(name)), "the config directory is removed: " + err);
    }

    /**
     * The live processes in the sandbox, as "pid command". Zombies do not count: an orphan that
     * has ended waits for this host's init to reap it, which may take its time. Nor does the
     * postlog that logs our fatal error: Syslog starts it detached on purpose (postlog pauses a
     * second after a fatal record), and it is not one of the action's helpers.
     */
    private List<String> liveInside() {
        List<String> live = new ArrayList<>();
        for (long pid : sb.processesInside()) {
            String[] fields = ProcessGroup.statFields(Path.of("/proc", String.valueOf(pid), "stat"));
            if (fields == null || fields[ProcessGroup.STATE].equals("Z")) continue;
            String command = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?");
            if (command.matches("/usr/sbin/postlog .* -p fatal -- .*")) continue;
            live.add(pid + " " + command);
        }
        return live;
    }

    private void ok(SandboxedPostfix.Result result) {
        assertEquals(0, result.exitCode, result.toString());
    }

    private long du(Path directory) {
        return Long.parseLong(sb.run("du", "-sk", directory.toString()).orThrow().stdout.split("\\s")[0]);
    }

    /** Every file and directory of the sandbox's etc, spool and lib: mode, owner and content. */
    private Map<String, String> snapshot() throws IOException {
        return snapshot(false);
    }

    /** The same, with each one's change time: whether anything was written at all. */
    private Map<String, String> snapshot(boolean withTimes) throws IOException {
        Map<String, String> files = new TreeMap<>();
        for (String top : List.of("etc", "spool", "lib")) {
            try (Stream<Path> walk = Files.walk(sb.root().resolve(top))) {
                walk.forEach(path -> files.put(sb.root().relativize(path).toString(), describe(path, withTimes)));
            }
        }
        return files;
    }

    private static String describe(Path path, boolean withTimes) {
        try {
            String attributes = Files.readAttributes(path, "unix:mode,uid,gid").toString()
                    + (withTimes ? " " + Files.getAttribute(path, "unix:ctime") : "");
            return Files.isDirectory(path) ? attributes
                    : attributes + " " + java.util.Arrays.hashCode(Files.readAllBytes(path));
        } catch (IOException e) {
            return "unreadable";
        }
    }
}
