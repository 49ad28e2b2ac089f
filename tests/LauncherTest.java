import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher against real processes: statuses, execvp's search and failures, and, through
 * {@link LaunchProbe} in a JVM of its own, the inherited stdin and terminal and the signals.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LauncherTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final int JVM_TERMINATED = 128 + 15;
    private static final int JVM_INTERRUPTED = 128 + 2;
    /** Signals 1 to 31; glibc reserves 32 and 33 for itself, and the JDK leaves them ignored. */
    private static final long STANDARD_SIGNALS = (1L << 31) - 1;
    /** A child that outlives a broken launcher by 30 s at most, not forever. */
    private static final String THIRTY_SECONDS = "i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done";

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();

    @AfterEach
    void restoreDiagnostics() {
        Msg.redirect(System.err);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 128, 193, 255})
    void exitStatusPassesThrough(int status) {
        assertEquals(status, run(List.of("sh", "-c", "exit " + status)));
    }

    /** Java reports a death by signal N as 128+N, and N goes up to 64: a child that exits so is taken as killed. */
    @ParameterizedTest
    @ValueSource(ints = {129, 192})
    void exitStatusesThatStandForASignalAreOne(int status) {
        assertEquals(1, run(List.of("sh", "-c", "exit " + status)));
    }

    /** vfork up to Java 21 unless the command line chose a launch mechanism (read once, at the first start: setting it here changes nothing). */
    @Test
    void vforkIsPreferredUnlessALaunchMechanismWasChosen() {
        String property = "jdk.lang.Process.launchMechanism";
        String before = System.getProperty(property);
        try {
            System.clearProperty(property);
            Launcher.preferVfork();
            assertEquals(Runtime.version().feature() <= 21 ? "VFORK" : null, System.getProperty(property));
            System.setProperty(property, "POSIX_SPAWN");
            Launcher.preferVfork();
            assertEquals("POSIX_SPAWN", System.getProperty(property));
        } finally {
            if (before == null) System.clearProperty(property);
            else System.setProperty(property, before);
        }
    }

    /** What we wrote before the child starts is out before it: the child reads our output file and finds it there. */
    @Test
    void ourBufferedOutputComesOutBeforeTheChildRuns() throws IOException {
        Path out = tmp.resolve("out");
        Path err = tmp.resolve("err");
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        try (PrintStream bufferedOut = new PrintStream(new BufferedOutputStream(Files.newOutputStream(out)), false);
             PrintStream bufferedErr = new PrintStream(new BufferedOutputStream(Files.newOutputStream(err)), false)) {
            System.setOut(bufferedOut);
            System.setErr(bufferedErr);
            System.out.print("ours on stdout\n");
            System.err.print("ours on stderr\n");
            assertEquals(0, run(List.of("sh", "-c", "cat \"$0\" \"$1\" > \"$0.seen\"", out.toString(), err.toString())));
            System.out.print("then in a group\n");
            assertEquals(0, Launcher.runAsGroup(List.of("sh", "-c", "cat \"$0\" > \"$0.group\"", out.toString()), System.getenv()));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        assertEquals("ours on stdout\nours on stderr\n", Files.readString(tmp.resolve("out.seen")));
        assertEquals("ours on stdout\nthen in a group\n", Files.readString(tmp.resolve("out.group")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "KILL", "INT"})
    void childKilledBySignalIsOne(String signal) {
        assertEquals(1, run(List.of("sh", "-c", "kill -" + signal + " $$")));
    }

    @Test
    void argumentsReachTheChildUnchanged() {
        String script = "test \"$1\" = ' a ' && test \"$2\" = '' && test \"$3\" = 'x\\y' && test $# = 3";
        assertEquals(0, run(List.of("sh", "-c", script, "sh", " a ", "", "x\\y")));
    }

    @Test
    void childGetsExactlyTheGivenEnvironment() {
        Map<String, String> environment = Map.of("PATH", "/usr/bin:/bin", "ONLY", "this");
        String script = "test \"$ONLY\" = this && test -z \"${HOME+set}\"";
        assertEquals(0, Launcher.run(List.of("sh", "-c", script), environment));
    }

    /**
     * Our signal handlers must not leak into the child as blocked or ignored signals. The one
     * exception is the JDK's: Java 17 starts every child with SIGQUIT blocked (JDK-8234262,
     * fixed in JDK 20).
     */
    @Test
    void childStartsWithOnlyTheSignalStateWeWereGiven() throws IOException {
        Path status = tmp.resolve("status");
        String script = "exec grep -E '^Sig(Blk|Ign):' /proc/self/status > \"$0\"";
        assertEquals(0, run(List.of("sh", "-c", script, status.toString())));
        Map<String, Long> child = signalSets(Files.readString(status));
        Map<String, Long> ours = signalSets(Files.readString(Path.of("/proc/self/status")));
        long sigquit = 1L << (3 - 1);
        assertEquals(0, child.get("SigBlk") & STANDARD_SIGNALS & ~sigquit, "blocked in the child");
        assertEquals(0, child.get("SigIgn") & STANDARD_SIGNALS & ~ours.get("SigIgn"), "ignored in the child");
    }

    @Test
    void missingCommandFailsAsTheChildsExecvp() {
        assertEquals(1, run(List.of("no-such-command-for-launcher-test")));
        assertEquals("postmulti: fatal: execvp no-such-command-for-launcher-test: No such file or directory\n",
                diagnostics());
    }

    @Test
    void emptyCommandWordIsNotFound() {
        assertEquals(1, run(List.of("")));
        assertEquals("postmulti: fatal: execvp : No such file or directory\n", diagnostics());
    }

    @Test
    void fileWithoutExecutePermissionIsRefused() throws IOException {
        Path file = plainFile(tmp.resolve("foo"), "exit 0\n");
        assertEquals(1, run(List.of(file.toString())));
        assertEquals("postmulti: fatal: execvp " + file + ": Permission denied\n", diagnostics());
    }

    @Test
    void refusedFileOnPathIsReportedWhenNothingBetterIsFound() throws IOException {
        plainFile(tmp.resolve("foo"), "exit 0\n");
        assertEquals(1, run(List.of("foo"), pathOf(tmp, tmp.resolve("missing"))));
        assertEquals("postmulti: fatal: execvp foo: Permission denied\n", diagnostics());
    }

    @Test
    void searchGoesOnPastRefusedFilesAndDirectories() throws IOException {
        Path refused = Files.createDirectories(tmp.resolve("refused"));
        plainFile(refused.resolve("foo"), "exit 9\n");
        Path directory = Files.createDirectories(tmp.resolve("directory/foo")).getParent();
        Path good = Files.createDirectories(tmp.resolve("good"));
        executable(good.resolve("foo"), "#!/bin/sh\nexit 42\n");
        assertEquals(42, run(List.of("foo"), pathOf(refused, directory, good)));
    }

    @Test
    void searchGoesOnPastBadInterpreterAsExecvpDoes() throws IOException {
        Path bad = Files.createDirectories(tmp.resolve("bad"));
        executable(bad.resolve("foo"), "#!/nonexistent/interpreter\n");
        Path good = Files.createDirectories(tmp.resolve("good"));
        executable(good.resolve("foo"), "#!/bin/sh\nexit 42\n");
        assertEquals(42, run(List.of("foo"), pathOf(bad, good)));
    }

    /** A dangling link is missing to execve, and a PATH element that is a file gives ENOTDIR. */
    @Test
    void searchGoesOnPastDanglingLinksAndElementsThatAreFiles() throws IOException {
        Path dangling = Files.createDirectories(tmp.resolve("dangling"));
        Files.createSymbolicLink(dangling.resolve("foo"), tmp.resolve("nowhere"));
        Path file = plainFile(tmp.resolve("file"), "");
        Path good = Files.createDirectories(tmp.resolve("good"));
        executable(good.resolve("foo"), "#!/bin/sh\nexit 42\n");
        assertEquals(42, run(List.of("foo"), pathOf(dangling, file, good)));
    }

    /** execvp goes on past ENOENT, EACCES, ENODEV and ENOTDIR only: a symbolic link loop (ELOOP) ends the search. */
    @Test
    void searchStopsAtOtherErrors() throws IOException {
        Path loop = Files.createDirectories(tmp.resolve("loop"));
        Files.createSymbolicLink(loop.resolve("foo"), loop.resolve("foo"));
        Path good = Files.createDirectories(tmp.resolve("good"));
        executable(good.resolve("foo"), "#!/bin/sh\nexit 42\n");
        assertEquals(1, run(List.of("foo"), pathOf(loop, good)));
        assertEquals("postmulti: fatal: execvp foo: Too many levels of symbolic links\n", diagnostics());
    }

    @Test
    void fileWithoutInterpreterLineRunsThroughSh() throws IOException {
        executable(tmp.resolve("foo"), "test \"$1\" = arg && exit 7\n");
        assertEquals(7, run(List.of(tmp.resolve("foo").toString(), "arg")));
        assertEquals(7, run(List.of("foo", "arg"), pathOf(tmp)));
    }

    @Test
    void commandIsLookedUpOnTheChildsPathNotTheJvms() throws IOException {
        executable(tmp.resolve("foo"), "#!/bin/sh\nexit 42\n");
        assertFalse(System.getenv().getOrDefault("PATH", "").contains(tmp.toString()));
        assertEquals(42, run(List.of("foo"), tmp + ":" + System.getenv("PATH")));
    }

    @Test
    void commandOnlyOnTheJvmsPathIsNotFound() {
        assertEquals(1, run(List.of("sh", "-c", "exit 0"), tmp.resolve("empty").toString()));
        assertEquals("postmulti: fatal: execvp sh: No such file or directory\n", diagnostics());
    }

    @Test
    void unsetPathSearchesBinAndUsrBin() {
        assertEquals(4, run(List.of("sh", "-c", "exit 4"), (String) null));
    }

    @ParameterizedTest
    @ValueSource(strings = {":/nonexistent", "/nonexistent::/bin", "/nonexistent:"})
    void emptyPathElementIsTheCurrentDirectory(String path) throws Exception {
        executable(tmp.resolve("foo"), "#!/bin/sh\nexit 42\n");
        ProcessBuilder probe = probe("foo").directory(tmp.toFile());
        probe.environment().put("PATH", path);
        assertEquals(42, finish(probe.start()));
    }

    @Test
    void childReadsOurStdinAndWritesOurStdout() throws Exception {
        Process probe = probe("cat").start();
        try (OutputStream stdin = probe.getOutputStream()) {
            stdin.write("hi\n".getBytes(StandardCharsets.US_ASCII));
        }
        String stdout = new String(probe.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, finish(probe));
        assertEquals("hi\n", stdout);
    }

    @Test
    void childSharesOurTerminal() throws Exception {
        try (Pty pty = Pty.start(probeCommand("sh", "-c", "test -t 0 && test -t 1 && test -t 2"))) {
            assertEquals(0, pty.waitFor(PATIENCE), pty.output());
        }
    }

    @Test
    void childHasNoTerminalWhenWeHaveNone() throws Exception {
        assertEquals(1, finish(probe("sh", "-c", "test -t 0 || test -t 1").start()));
    }

    @Test
    void ctrlCCaughtByTheChildLeavesTheJvmToExitWithTheChildsStatus() throws Exception {
        String script = "trap 'echo caught; exit 5' INT; echo ready; " + THIRTY_SECONDS;
        try (Pty pty = Pty.start(probeCommand("sh", "-c", script))) {
            assertTrue(pty.awaitOutput("ready", PATIENCE), pty.output());
            pty.type(Pty.CTRL_C);
            assertEquals(5, pty.waitFor(PATIENCE), pty.output());
            assertTrue(pty.output().contains("caught"), pty.output());
        }
    }

    @Test
    void ctrlCThatKillsTheChildThenStopsTheJvm() throws Exception {
        try (Pty pty = Pty.start(probeCommand("sh", "-c", "echo ready; exec sleep 30"))) {
            assertTrue(pty.awaitOutput("ready", PATIENCE), pty.output());
            pty.type(Pty.CTRL_C);
            assertEquals(JVM_INTERRUPTED, pty.waitFor(PATIENCE), pty.output());
        }
    }

    @Test
    void sigtermToTheJvmAloneIsForwardedAndTheChildIsReaped() throws Exception {
        Process probe = probe("sh", "-c", "echo ready; exec sleep 30").start();
        awaitLine(probe, "ready");
        ProcessHandle sleeper = probe.children().findFirst().orElseThrow();
        terminateJvmAlone(probe);
        assertEquals(JVM_TERMINATED, finish(probe));
        assertFalse(sleeper.isAlive(), "orphaned child " + sleeper.pid());
    }

    @Test
    void childTrappingSigtermFinishesBeforeTheJvmEnds() throws Exception {
        String script = "trap 'echo trapped; exit 7' TERM; echo ready; " + THIRTY_SECONDS;
        Process probe = probe("sh", "-c", script).start();
        BufferedReader stdout = awaitLine(probe, "ready");
        ProcessHandle child = probe.children().findFirst().orElseThrow();
        terminateJvmAlone(probe);
        assertEquals("trapped", stdout.readLine());
        assertEquals(JVM_TERMINATED, finish(probe));
        assertFalse(child.isAlive(), "orphaned child " + child.pid());
    }

    private int run(List<String> argv) {
        return run(argv, System.getenv("PATH"));
    }

    /** Runs in this JVM with our environment but the given PATH (unset when null). */
    private int run(List<String> argv, String path) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.remove("PATH");
        if (path != null) environment.put("PATH", path);
        Msg.redirect(new PrintStream(diagnostics, true, StandardCharsets.UTF_8));
        return Launcher.run(argv, environment);
    }

    /** The signal sets of a /proc/PID/status, bit N-1 standing for signal N. */
    private static Map<String, Long> signalSets(String procStatus) {
        Map<String, Long> sets = new HashMap<>();
        for (String line : procStatus.split("\n")) {
            String[] field = line.split(":\\s*");
            if (field[0].matches("Sig(Blk|Ign)")) sets.put(field[0], Long.parseUnsignedLong(field[1].strip(), 16));
        }
        return sets;
    }

    private String diagnostics() {
        return diagnostics.toString(StandardCharsets.UTF_8);
    }

    private static String pathOf(Path... directories) {
        List<String> elements = new ArrayList<>();
        for (Path directory : directories) elements.add(directory.toString());
        return String.join(":", elements);
    }

    private static Path plainFile(Path file, String content) throws IOException {
        Files.writeString(file, content);
        return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static Path executable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static ProcessBuilder probe(String... command) {
        return new ProcessBuilder(probeCommand(command)).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    /** A JVM of its own running {@link LaunchProbe}, started the quick way. */
    private static List<String> probeCommand(String... command) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> line = new ArrayList<>(List.of(java.toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-cp", System.getProperty("java.class.path"), "LaunchProbe"));
        line.addAll(List.of(command));
        return line;
    }

    private static BufferedReader awaitLine(Process process, String expected) throws IOException {
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertEquals(expected, stdout.readLine());
        return stdout;
    }

    /** SIGTERM to the JVM's pid only (Process.destroy() would also close our ends of its pipes). */
    private static void terminateJvmAlone(Process probe) {
        assertTrue(probe.toHandle().destroy());
    }

    private static int finish(Process process) throws InterruptedException {
        if (!process.waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("still running after " + PATIENCE);
        }
        return process.exitValue();
    }
}
