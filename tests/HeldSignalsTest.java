import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Signals sent to this very JVM while a child runs ({@link Launcher}, {@link ForegroundChild})
 * or while a commit holds them ({@link SignalHold}). Where the tool would act on a signal by
 * exiting, the handler it hands the signal to is the test's recorder instead, put in place
 * before (as the JVM's own handler is in the tool): so what reaches it, and when, is seen here,
 * in the test's JVM (LauncherTest sees the same through a JVM of its own, which mutation testing
 * cannot reach).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HeldSignalsTest {
    private static final long PATIENCE_SECONDS = 20;

    @TempDir
    Path tmp;

    private final Recorder recorder = new Recorder();
    private final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    private final List<Long> started = new ArrayList<>();

    @BeforeEach
    void recordSignals() {
        recorder.install("INT", "TERM", "HUP");
        Msg.redirect(new PrintStream(diagnostics, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        recorder.restore();
        Msg.redirect(System.err);
    }

    // ----------------------------------------------------------------- a child in our group (-p, -x)

    @Test
    void sigtermEndsTheChildThenReachesTheHandlerBefore() throws Exception {
        CompletableFuture<Integer> run = launch(false, "echo $$ > \"$0\"; exec sleep 30");
        long child = awaitPid("ready");
        raise("TERM");
        assertEquals(1, finish(run), "the child died of SIGTERM");
        assertEquals(List.of("TERM after the child ended"), recorder.received());
        assertFalse(alive(child));
    }

    @Test
    void sighupIsForwardedAsATermination() throws Exception {
        CompletableFuture<Integer> run = launch(false, "echo $$ > \"$0\"; exec sleep 30");
        awaitPid("ready");
        raise("HUP");
        assertEquals(1, finish(run));
        assertEquals(List.of("HUP after the child ended"), recorder.received());
    }

    /** As with system(3): a SIGINT to us alone does not end a child that carries on, and is dropped. */
    @Test
    void sigintToTheJvmAloneIsDroppedWhenTheChildCarriesOn() throws Exception {
        assumeInterruptNotIgnored();
        CompletableFuture<Integer> run = launch(false, "echo $$ > \"$0\"; while [ ! -e \"$0.go\" ]; do sleep 0.05; done; exit 3");
        awaitPid("ready");
        raise("INT");
        Thread.sleep(300);
        Files.createFile(tmp.resolve("ready.go"));
        assertEquals(3, finish(run));
        Thread.sleep(300);
        assertEquals(List.of(), recorder.received(), "a late dispatch is dropped too");
    }

    @Test
    void aChildDeadOfSigintPassesTheHeldSigintOn() throws Exception {
        assumeInterruptNotIgnored();
        CompletableFuture<Integer> run = launch(false, "echo $$ > \"$0\"; while [ ! -e \"$0.go\" ]; do sleep 0.05; done; kill -INT $$");
        awaitPid("ready");
        raise("INT");
        SignalBarrier.await();
        Files.createFile(tmp.resolve("ready.go"));
        assertEquals(1, finish(run));
        assertEquals(List.of("INT after the child ended"), recorder.received());
    }

    /** Off a terminal's foreground nothing is inferred: a child dead of SIGINT is just a failure. */
    @Test
    void aChildDeadOfItsOwnSigintIsAFailureOnly() throws Exception {
        assumeInterruptNotIgnored();
        assertEquals(1, finish(launch(false, "kill -INT $$")));
        Thread.sleep(300);
        assertEquals(List.of(), recorder.received());
    }

    /** A termination that comes after the signals are held but before the child is there ends the child as it starts. */
    @Test
    void aTerminationBeforeTheChildStartsEndsItAtOnce() throws Exception {
        try (ForegroundChild foreground = ForegroundChild.expect()) {
            raise("TERM");
            SignalBarrier.await();
            Thread.sleep(200);
            foreground.watch(new ProcessBuilder("sleep", "30").start());
            assertEquals(128 + 15, foreground.waitFor());
        }
        assertEquals(List.of("TERM"), recorder.signals());
    }

    @Test
    void aSignalBeforeAGroupStartsReachesTheGroupAsItStarts() throws Exception {
        assumeGroups();
        try (ForegroundChild group = ForegroundChild.expectGroup()) {
            raise("HUP");
            SignalBarrier.await();
            Thread.sleep(200);
            Path pid = tmp.resolve("ready");
            group.watch(new ProcessBuilder(ProcessGroup.command(List.of("sh", "-c", "sleep 30 & echo $! > \"$0\"; wait",
                    pid.toString()))).start());
            assertEquals(128 + 1, group.waitFor());
            Long grandchild = readPid(pid);
            assertTrue(grandchild == null || !alive(grandchild), "the group's other process was left running");
        }
        assertEquals(List.of("HUP"), recorder.signals());
    }

    /** An interrupt of the waiting thread does not cut the wait short, and is kept for the caller. */
    @Test
    void anInterruptedWaitGoesOnAndKeepsTheInterrupt() throws Exception {
        CompletableFuture<String> run = new CompletableFuture<>();
        Thread waiting = new Thread(() -> {
            int status = Launcher.run(List.of("sh", "-c", "echo $$ > \"$0\"; while [ ! -e \"$0.go\" ]; do sleep 0.05; done; exit 5",
                    tmp.resolve("ready").toString()), Map.of("PATH", "/bin:/usr/bin"));
            run.complete(status + (Thread.currentThread().isInterrupted() ? " interrupted" : ""));
        });
        waiting.start();
        awaitPid("ready");
        waiting.interrupt();
        Thread.sleep(200);
        Files.createFile(tmp.resolve("ready.go"));
        assertEquals("5 interrupted", run.get(PATIENCE_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void anUninterruptedWaitLeavesNoInterrupt() throws Exception {
        CompletableFuture<Boolean> interrupted = CompletableFuture.supplyAsync(() -> {
            Launcher.run(List.of("sh", "-c", "exit 0"), Map.of("PATH", "/bin:/usr/bin"));
            return Thread.currentThread().isInterrupted();
        });
        assertFalse(interrupted.get(PATIENCE_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void withoutSignalsNothingReachesTheHandlerAndLaterSignalsGoStraightToIt() throws Exception {
        assertEquals(0, finish(launch(false, "echo $$ > \"$0\"; exit 0")));
        assertEquals(List.of(), recorder.received());
        raise("TERM");
        assertTrue(await(() -> !recorder.received().isEmpty()), "the handler before is back in place");
        assertEquals(List.of("TERM after the child ended"), recorder.received());
    }

    /** Once the child has ended, a SIGINT is the handler's before again, not one that is dropped. */
    @Test
    void afterTheChildASigintGoesStraightToTheHandler() throws Exception {
        assumeInterruptNotIgnored();
        assertEquals(0, finish(launch(false, "exit 0")));
        raise("INT");
        assertTrue(await(() -> !recorder.received().isEmpty()), "SIGINT was dropped: our handler is still in place");
        assertEquals(List.of("INT"), recorder.signals());
    }

    // ----------------------------------------------------------------- a helper in a group of its own

    /** post-install goes on after postfix set-permissions has ended: we wait for the whole group. */
    @Test
    void aGroupIsWaitedForUntilNothingOfItIsLeft() throws Exception {
        assumeGroups();
        CompletableFuture<Integer> run = launch(true, "(sleep 1; echo late > \"$0.done\") & exit 4");
        assertEquals(4, finish(run));
        assertTrue(Files.exists(tmp.resolve("ready.done")), "returned before the group's last process ended");
        assertEquals(List.of(), recorder.received());
    }

    @Test
    void sigtermReachesTheWholeGroupThenTheHandlerBefore() throws Exception {
        assumeGroups();
        CompletableFuture<Integer> run = launch(true, "sleep 30 & echo $! > \"$0\"; wait");
        long grandchild = awaitPid("ready");
        raise("TERM");
        assertEquals(1, finish(run));
        assertFalse(alive(grandchild), "the group's other process was left running");
        assertEquals(List.of("TERM after the child ended"), recorder.received());
    }

    /** A group has no terminal, so a Ctrl-C typed at ours never reaches it: the SIGINT is forwarded. */
    @Test
    void sigintIsForwardedToTheGroupAndThenActedOn() throws Exception {
        assumeInterruptNotIgnored();
        assumeGroups();
        CompletableFuture<Integer> run = launch(true, "sleep 30 & echo $! > \"$0\"; wait");
        long grandchild = awaitPid("ready");
        raise("INT");
        assertEquals(1, finish(run));
        assertFalse(alive(grandchild));
        assertEquals(List.of("INT after the child ended"), recorder.received());
    }

    // ----------------------------------------------------------------- a commit (SignalHold)

    @Test
    void aSignalDuringTheHoldIsHandedOnWhenItCloses() throws Exception {
        try (SignalHold hold = SignalHold.start()) {
            assertFalse(hold.signalled());
            assertNull(hold.firstSignal());
            raise("TERM");
            assertTrue(await(hold::signalled), "the hold never saw SIGTERM");
            raise("HUP");
            SignalBarrier.await();
            assertEquals("SIGTERM", hold.firstSignal());
            assertEquals(List.of(), recorder.received(), "held, not handed on yet");
        }
        assertTrue(await(() -> recorder.signals().size() == 2), "handed on: " + recorder.signals());
        assertEquals(List.of("TERM", "HUP"), recorder.signals());
        assertEquals("", diagnostics());
    }

    @Test
    void aSignalAfterTheCommitIsOnlyNoted() throws Exception {
        try (SignalHold hold = SignalHold.start()) {
            raise("HUP");
            assertTrue(await(hold::signalled), "the hold never saw SIGHUP");
            hold.committed();
        }
        assertEquals(List.of(), recorder.received());
        assertEquals("postmulti: warning: SIGHUP arrived after the change was committed; the action was finished first\n",
                diagnostics());
    }

    @Test
    void aHoldWithoutSignalsHandsNothingOnAndPutsTheHandlersBack() throws Exception {
        try (SignalHold hold = SignalHold.start()) {
            hold.committed();
        }
        assertEquals(List.of(), recorder.received());
        assertEquals("", diagnostics());
        raise("HUP");
        assertTrue(await(() -> !recorder.received().isEmpty()), "the handler before is back in place");
        assertEquals(List.of("HUP"), recorder.signals());
    }

    // ----------------------------------------------------------------- helpers

    /** Launcher.run (or runAsGroup) of {@code sh -c SCRIPT TMP/ready}, on a thread of its own. */
    private CompletableFuture<Integer> launch(boolean group, String script) {
        Map<String, String> environment = Map.of("PATH", "/bin:/usr/bin");
        List<String> argv = List.of("sh", "-c", script, tmp.resolve("ready").toString());
        return CompletableFuture.supplyAsync(() -> group ? Launcher.runAsGroup(argv, environment)
                : Launcher.run(argv, environment));
    }

    private long awaitPid(String file) throws Exception {
        Path path = tmp.resolve(file);
        assertTrue(await(() -> readPid(path) != null), "the child never wrote " + path);
        long pid = readPid(path);
        started.add(pid);
        recorder.watch(pid);
        return pid;
    }

    private static Long readPid(Path file) {
        try {
            return Long.valueOf(Files.readString(file).trim());
        } catch (IOException | NumberFormatException notYet) {
            return null;
        }
    }

    private static int finish(CompletableFuture<Integer> run) throws Exception {
        return run.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    /** Whether the process runs (a zombie that nobody reaps, where pid 1 does not, has ended). */
    private static boolean alive(long pid) {
        String[] fields = ProcessGroup.statFields(Path.of("/proc/" + pid + "/stat"));
        return fields != null && !fields[ProcessGroup.STATE].equals("Z");
    }

    private static void raise(String name) {
        Signal.raise(new Signal(name));
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(20);
        }
        return true;
    }

    /** Asked of the host, not of ProcessGroup.available(), whose answer is under test too. */
    private static void assumeGroups() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")) && Files.isExecutable(Path.of("/bin/kill")),
                "needs setsid(1) and kill(1) (util-linux, procps)");
    }

    private static void assumeInterruptNotIgnored() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                long ignored = Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
                assumeTrue((ignored & (1L << (2 - 1))) == 0, "SIGINT was ignored when this JVM started (a background job?)");
            }
        }
    }

    private String diagnostics() {
        return diagnostics.toString(StandardCharsets.UTF_8);
    }

    /** Stands for the JVM's own handlers: records each signal, and whether the watched child was still there. */
    private static final class Recorder implements SignalHandler {
        private final Map<Signal, SignalHandler> before = new LinkedHashMap<>();
        private final List<String> received = new ArrayList<>();
        private final List<String> signals = new ArrayList<>();
        private volatile Long watched;

        void install(String... names) {
            for (String name : names) {
                Signal signal = new Signal(name);
                before.put(signal, Signal.handle(signal, this));
            }
        }

        void restore() {
            before.forEach(Signal::handle);
        }

        void watch(long pid) {
            watched = pid;
        }

        @Override
        public synchronized void handle(Signal signal) {
            Long pid = watched;
            boolean childThere = pid != null && alive(pid);
            signals.add(signal.getName());
            received.add(signal.getName() + (childThere ? " while the child ran" : " after the child ended"));
        }

        synchronized List<String> received() {
            return List.copyOf(received);
        }

        synchronized List<String> signals() {
            return List.copyOf(signals);
        }
    }
}
