import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3 end to end: iterator mode ({@code -p}) of OUR postmulti driving real Postfix
 * 3.7 instances, in a {@link SandboxedPostfix} (private mount and network namespaces;
 * the sandbox primary is /etc/postfix inside). The primary and two secondaries,
 * postfix-a and postfix-b in group "alpha" (made with our {@code -e init}, {@code -e create},
 * {@code -x postconf}, {@code -e enable}; no listeners, so no mail and no ports), are
 * started, queried, reloaded and stopped with {@code postmulti -p}, with {@code -i}/{@code -g}
 * selections, and with plain {@code postfix start|status|stop}, which runs our tool as
 * {@code multi_instance_wrapper}.
 *
 * <p>What counts as evidence: each instance's master process (the pid in
 * QUEUE/pid/master.pid alive, named "master", not a zombie) and {@code postfix -c DIR status};
 * postfix-script's own lines on the terminal for which instance did what, in which order;
 * the masters' "reload" lines in the shared maillog.
 *
 * <p>The methods run in order on one sandbox; before each, every instance is put back
 * enabled and running with plain postconf/postfix (not our tool), so one failure does not
 * cascade. Skipped (with the reason) unless root, with Postfix installed and namespaces
 * allowed. About 40-60 s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class IteratorE2eTest {

    static final String A = "postfix-a";
    static final String B = "postfix-b";
    static final String GROUP = "alpha";

    SandboxedPostfix sb;
    E2ePostmulti pm;
    long classStart;
    int tests;

    // ---- set-up -------------------------------------------------------------

    @BeforeAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void threeInstances() throws Exception {
        Optional<String> why = SandboxedPostfix.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "sandbox unavailable: " + why.orElse(""));
        classStart = System.nanoTime();
        sb = SandboxedPostfix.create();
        pm = new E2ePostmulti(sb);
        System.out.println("IteratorE2eTest: sandbox " + sb.root());

        Map<String, String> main = sb.primarySettings("primary.example.test");
        main.put("maillog_file", maillog().toString());
        SandboxedPostfix.writeMainCf(sb.primaryConfigDir(), main);
        sb.installMasterCf(sb.primaryConfigDir(), null);  // no smtp listener

        ok(pm.run(pm.initEnvironment(), "-e", "init"));
        assertEquals(pm.wrapper(), postconf(sb.primaryConfigDir(), "multi_instance_wrapper"));
        ok(pm.run("-I", A, "-G", GROUP, "-e", "create"));
        ok(pm.run("-I", B, "-G", GROUP, "-e", "create"));
        // -x with a group: one command per member, MAIL_CONFIG naming it
        ok(pm.run("-g", GROUP, "-x", "postconf", "-e", "inet_protocols = ipv4", "compatibility_level = 3.6",
            "maillog_file = " + maillog(), "maillog_file_prefixes = " + sb.root()));
        ok(pm.run("-g", GROUP, "-x", "postconf", "-F", "*/*/chroot = n"));
        for (String name : List.of(A, B)) {
            assertEquals(maillog().toString(), postconf(sb.configDir(name), "maillog_file"), name + " configured through -x");
            assertEquals("inet", postconf(sb.configDir(name), "master_service_disable"), name + " has no listeners");
            ok(pm.run("-i", name, "-e", "enable"));
        }
        for (Path dir : dirs()) assertStopped(dir);
        System.out.printf("IteratorE2eTest: primary + %s + %s made with our tool in %d ms%n", A, B,
            (System.nanoTime() - classStart) / 1_000_000);
    }

    @AfterAll
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void teardown() {
        if (sb == null) return;
        sb.close();  // SIGTERM to every master and daemon inside, then removes the sandbox
        System.out.printf("IteratorE2eTest: %d s in all%n", (System.nanoTime() - classStart) / 1_000_000_000);
    }

    /** Every instance enabled and running again (plain postconf/postfix, not our tool). */
    @BeforeEach
    void allEnabledAndRunning() throws Exception {
        if (sb == null) return;
        for (String name : List.of(A, B)) {
            if (!"yes".equals(postconf(sb.configDir(name), "multi_instance_enable"))) {
                sb.postconf(sb.configDir(name), "-e", "multi_instance_enable = yes").orThrow();
            }
        }
        if (tests++ == 0) return;  // the first test starts them itself
        for (Path dir : dirs()) {
            if (!running(dir)) sb.postfix(dir, "start").orThrow();
        }
    }

    // ---- postmulti -p on all instances --------------------------------------

    @Test
    @Order(1)
    void pStartStartsEveryInstanceInOrder() throws Exception {
        for (Path dir : dirs()) assertStopped(dir);
        SandboxedPostfix.Result r = timed(() -> pm.run("-p", "start"));
        assertEquals(0, r.exitCode, r::toString);
        assertEquals(List.of("postfix", A, B), saying(r, "starting the Postfix mail system"), r::toString);
        for (Path dir : dirs()) assertRunning(dir);
    }

    @Test
    @Order(2)
    void pStatusQueriesEveryInstance() throws Exception {
        SandboxedPostfix.Result r = pm.run("-p", "status");
        assertEquals(0, r.exitCode, r::toString);
        assertEquals(List.of("postfix", A, B), saying(r, "the Postfix mail system is running"), r::toString);
        // each line names that instance's master
        for (String name : List.of("postfix", A, B)) {
            long pid = masterPid(queueOf(name)).orElseThrow();
            assertTrue(Pattern.compile("(?m)^" + name + "/postfix-script: the Postfix mail system is running: PID: "
                + pid + "\\s*$").matcher(r.stdout).find(), () -> name + " reports master pid " + pid + "\n" + r);
        }
    }

    @Test
    @Order(3)
    void pReloadRefreshesEveryMasterInPlace() throws Exception {
        List<Long> before = masterPids();
        int mark = maillogText().length();
        SandboxedPostfix.Result r = pm.run("-p", "reload");
        assertEquals(0, r.exitCode, r::toString);
        assertEquals(List.of("postfix", A, B), saying(r, "refreshing the Postfix mail system"), r::toString);
        for (String name : List.of("postfix", A, B)) assertMasterReloads(name, mark);
        assertEquals(before, masterPids(), "reload keeps every master (SIGHUP, not a restart)");
    }

    @Test
    @Order(4)
    void pStopStopsEveryInstanceInReverseOrder() throws Exception {
        SandboxedPostfix.Result r = timed(() -> pm.run("-p", "stop"));
        assertEquals(0, r.exitCode, r::toString);
        assertEquals(List.of(B, A, "postfix"), saying(r, "stopping the Postfix mail system"), r::toString);
        for (Path dir : dirs()) assertStopped(dir);
    }

    // ---- selections, and the exit status ------------------------------------

    @Test
    @Order(10)
    void instanceSelectionActsOnThatInstanceOnly() throws Exception {
        List<Long> before = masterPids();
        SandboxedPostfix.Result stop = pm.run("-i", A, "-p", "stop");
        assertEquals(0, stop.exitCode, stop::toString);
        assertEquals(List.of(A), saying(stop, "stopping the Postfix mail system"), stop::toString);
        assertStopped(sb.configDir(A));
        assertEquals(before.get(0), masterPids().get(0), "the primary's master untouched");
        assertEquals(before.get(2), masterPids().get(2), B + "'s master untouched");

        // the selected instance's command fails: exit status 1
        SandboxedPostfix.Result status = pm.run("-i", A, "-p", "status");
        assertEquals(1, status.exitCode, status::toString);
        assertEquals(List.of(A), saying(status, "the Postfix mail system is not running"), status::toString);

        SandboxedPostfix.Result start = pm.run("-i", A, "-p", "start");
        assertEquals(0, start.exitCode, start::toString);
        assertEquals(List.of(A), saying(start, "starting the Postfix mail system"), start::toString);
        assertRunning(sb.configDir(A));
    }

    @Test
    @Order(11)
    void oneFailingInstanceMakesTheExitStatusOneButTheOthersStillRun() throws Exception {
        sb.postfix(sb.configDir(A), "stop").orThrow();
        // the group: A is down (status fails), B is up; both are asked
        SandboxedPostfix.Result status = pm.run("-g", GROUP, "-p", "status");
        assertEquals(1, status.exitCode, status::toString);
        assertEquals(List.of(A), saying(status, "the Postfix mail system is not running"), status::toString);
        assertEquals(List.of(B), saying(status, "the Postfix mail system is running"), status::toString);

        // all: start fails for the running primary and B ("already running"), A starts anyway
        SandboxedPostfix.Result start = pm.run("-p", "start");
        assertEquals(1, start.exitCode, start::toString);
        assertEquals(List.of("postfix", B), saying(start, "fatal: the Postfix mail system is already running"),
            start::toString);
        assertEquals(List.of(A), saying(start, "starting the Postfix mail system"), start::toString);
        for (Path dir : dirs()) assertRunning(dir);
    }

    @Test
    @Order(12)
    void groupSelectionActsOnTheMembersOnly() throws Exception {
        long primaryPid = masterPid(sb.primaryQueueDir()).orElseThrow();
        SandboxedPostfix.Result stop = pm.run("-g", GROUP, "-p", "stop");
        assertEquals(0, stop.exitCode, stop::toString);
        assertEquals(List.of(B, A), saying(stop, "stopping the Postfix mail system"), stop::toString);
        assertStopped(sb.configDir(A));
        assertStopped(sb.configDir(B));
        assertRunning(sb.primaryConfigDir());

        SandboxedPostfix.Result start = pm.run("-g", GROUP, "-p", "start");
        assertEquals(0, start.exitCode, start::toString);
        assertEquals(List.of(A, B), saying(start, "starting the Postfix mail system"), start::toString);
        for (Path dir : dirs()) assertRunning(dir);
        assertEquals(primaryPid, masterPid(sb.primaryQueueDir()).orElseThrow(), "the primary's master untouched");

        SandboxedPostfix.Result none = pm.run("-g", "no-such-group", "-p", "status");
        assertEquals(1, none.exitCode, none::toString);
        assertTrue(none.stdout.contains("postmulti: fatal: No matching instances"), none::toString);
    }

    // ---- a disabled instance ------------------------------------------------

    @Test
    @Order(20)
    void disabledInstanceIsSkippedByReloadAndStop() throws Exception {
        ok(pm.run("-i", B, "-e", "disable"));
        assertEquals("no", postconf(sb.configDir(B), "multi_instance_enable"));
        long bPid = masterPid(queue(B)).orElseThrow();

        int mark = maillogText().length();
        SandboxedPostfix.Result reload = pm.run("-p", "reload");
        assertEquals(0, reload.exitCode, reload::toString);
        assertEquals(List.of("postfix", A), saying(reload, "refreshing the Postfix mail system"), reload::toString);
        for (String name : List.of("postfix", A)) assertMasterReloads(name, mark);
        assertFalse(masterLogged(B, "reload", mark), B + "'s master was not reloaded");

        SandboxedPostfix.Result stop = pm.run("-p", "stop");
        assertEquals(0, stop.exitCode, stop::toString);
        assertEquals(List.of(A, "postfix"), saying(stop, "stopping the Postfix mail system"), stop::toString);
        assertStopped(sb.primaryConfigDir());
        assertStopped(sb.configDir(A));
        assertRunning(sb.configDir(B));
        assertEquals(bPid, masterPid(queue(B)).orElseThrow(), B + "'s master untouched");

        // status is neither a start, stop nor control command: it asks disabled instances too
        SandboxedPostfix.Result status = pm.run("-p", "status");
        assertEquals(1, status.exitCode, status::toString);
        assertEquals(List.of(B), saying(status, "the Postfix mail system is running"), status::toString);
    }

    @Test
    @Order(21)
    void disabledInstanceGetsCheckInsteadOfStart() throws Exception {
        ok(pm.run("-i", B, "-e", "disable"));
        for (Path dir : dirs()) sb.postfix(dir, "stop").orThrow();
        for (Path dir : dirs()) assertStopped(dir);
        // "postfix check" (unlike start, it runs no master) creates missing queue directories:
        // a removed one coming back shows that B got its check
        Path corrupt = queue(B).resolve("corrupt");
        Files.deleteIfExists(corrupt);

        SandboxedPostfix.Result start = pm.run("-p", "start");
        assertEquals(0, start.exitCode, start::toString);
        assertEquals(List.of("postfix", A), saying(start, "starting the Postfix mail system"), start::toString);
        assertRunning(sb.primaryConfigDir());
        assertRunning(sb.configDir(A));
        assertStopped(sb.configDir(B));
        assertTrue(Files.isDirectory(corrupt), "postfix check ran for the disabled " + B + " (recreated " + corrupt + ")");

        // selected by name, a disabled instance still gets check
        Files.deleteIfExists(corrupt);
        SandboxedPostfix.Result startB = pm.run("-i", B, "-p", "start");
        assertEquals(0, startB.exitCode, startB::toString);
        assertStopped(sb.configDir(B));
        assertTrue(Files.isDirectory(corrupt), "postfix check ran for " + B + " selected with -i");

        ok(pm.run("-i", B, "-e", "enable"));
        SandboxedPostfix.Result enabled = pm.run("-i", B, "-p", "start");
        assertEquals(0, enabled.exitCode, enabled::toString);
        assertRunning(sb.configDir(B));
    }

    // ---- plain postfix(1), with our tool as multi_instance_wrapper ----------

    @Test
    @Order(30)
    void postfixCommandRunsOurToolAsWrapper() throws Exception {
        int calls = pm.wrapperCalls().size();
        SandboxedPostfix.Result status = timed(() -> postfix("status"));
        assertEquals(0, status.exitCode, status::toString);
        assertEquals(List.of("postfix", A, B), saying(status, "the Postfix mail system is running"), status::toString);

        SandboxedPostfix.Result stop = timed(() -> postfix("stop"));
        assertEquals(0, stop.exitCode, stop::toString);
        assertEquals(List.of(B, A, "postfix"), saying(stop, "stopping the Postfix mail system"), stop::toString);
        for (Path dir : dirs()) assertStopped(dir);

        SandboxedPostfix.Result start = timed(() -> postfix("start"));
        assertEquals(0, start.exitCode, start::toString);
        assertEquals(List.of("postfix", A, B), saying(start, "starting the Postfix mail system"), start::toString);
        for (Path dir : dirs()) assertRunning(dir);

        // a failing instance command comes back as postfix's exit status
        sb.postfix(sb.configDir(A), "stop").orThrow();
        SandboxedPostfix.Result partial = postfix("status");
        assertEquals(1, partial.exitCode, partial::toString);
        assertEquals(List.of(A), saying(partial, "the Postfix mail system is not running"), partial::toString);

        List<String> wrapperCalls = pm.wrapperCalls();
        assertEquals(List.of("-p -- status", "-p -- stop", "-p -- start", "-p -- status"),
            wrapperCalls.subList(calls, wrapperCalls.size()), "postfix(1) ran our tool as multi_instance_wrapper");
    }

    // ---- what the children inherit ------------------------------------------

    @Test
    @Order(40)
    void childrenKeepTheCallersOpenFileLimitAsWithTheCProgram() throws Exception {
        // HotSpot raises the JVM's soft RLIMIT_NOFILE to the hard limit (MaxFDLimit, on by
        // default) and every child would inherit that; the shipped options switch it off.
        assumeTrue(E2ePostmulti.javaOptions().contains("-XX:-MaxFDLimit"), "the JVM options in use"
            + " (E2E_JAVA_OPTIONS or postmulti.java's //JAVA_OPTIONS) lack -XX:-MaxFDLimit, so our"
            + " children get the raised open-file limit: " + E2ePostmulti.javaOptions());
        // Postfix's master raises its own limit, so look at an -x child: the same command
        // under a lowered soft limit, run by the real postmulti and by ours.
        String real = softOpenFileLimitOfChildOf(List.of("/usr/sbin/postmulti"));
        String ours = softOpenFileLimitOfChildOf(pm.commandNoConfig());
        assertEquals("1000", real, "the C program's child keeps the caller's soft limit");
        assertEquals(real, ours, "our child keeps the caller's soft limit too");
    }

    /** {@code ulimit -Sn 1000; exec POSTMULTI -i A -x sh -c 'ulimit -Sn'}: what the child saw. */
    String softOpenFileLimitOfChildOf(List<String> postmulti) {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "ulimit -Sn 1000 && exec \"$@\"", "sh"));
        cmd.addAll(postmulti);
        cmd.addAll(List.of("-i", A, "-x", "sh", "-c", "ulimit -Sn"));
        SandboxedPostfix.Result r = sb.runTty(cmd, Map.of(), Duration.ofMinutes(1));
        assertEquals(0, r.exitCode, r::toString);
        return r.stdout.trim();
    }

    // ---- helpers ------------------------------------------------------------

    Path maillog() {
        return sb.logDir().resolve("maillog");
    }

    String maillogText() {
        return SandboxedPostfix.readLog(maillog());
    }

    List<Path> dirs() {
        return List.of(sb.primaryConfigDir(), sb.configDir(A), sb.configDir(B));
    }

    Path queue(String name) {
        return sb.queueDir(name);
    }

    Path queueOf(String syslogName) {
        return syslogName.equals("postfix") ? sb.primaryQueueDir() : sb.queueDir(syslogName);
    }

    Path queueOfConfig(Path configDir) {
        return configDir.equals(sb.primaryConfigDir()) ? sb.primaryQueueDir() : sb.queueDir(configDir.getFileName().toString());
    }

    String postconf(Path configDir, String name) {
        return sb.postconf(configDir, "-h", name).orThrow().stdout.trim();
    }

    /** Plain {@code postfix CMD} (no -c: the default instance, so through multi_instance_wrapper). */
    SandboxedPostfix.Result postfix(String command) {
        return sb.runTty(List.of("postfix", command), Map.of(), Duration.ofMinutes(1));
    }

    static SandboxedPostfix.Result ok(SandboxedPostfix.Result r) {
        assertEquals(0, r.exitCode, r::toString);
        return r;
    }

    static List<String> saying(SandboxedPostfix.Result r, String text) {
        return E2eBorderChecks.instancesSaying(r, text);
    }

    /** Runs a command and prints its wall time. */
    static SandboxedPostfix.Result timed(Supplier<SandboxedPostfix.Result> command) {
        SandboxedPostfix.Result r = command.get();
        System.out.printf("IteratorE2eTest: %-28s %5d ms%n",
            String.join(" ", r.command.subList(Math.max(0, r.command.size() - 2), r.command.size())),
            r.elapsed.toMillis());
        return r;
    }

    /** The live master's pid from QUEUE/pid/master.pid: alive, not a zombie, named master. */
    static OptionalLong masterPid(Path queueDir) {
        try {
            String text = Files.readString(queueDir.resolve("pid/master.pid")).trim();
            if (text.isEmpty()) return OptionalLong.empty();
            long pid = Long.parseLong(text);
            Path proc = Paths.get("/proc", Long.toString(pid));
            String comm = Files.readString(proc.resolve("comm")).trim();
            String stat = Files.readString(proc.resolve("stat"));
            boolean zombie = stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
            return comm.equals("master") && !zombie ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();  // no pid file, or the process is gone
        }
    }

    List<Long> masterPids() {
        List<Long> pids = new ArrayList<>();
        for (Path dir : dirs()) pids.add(masterPid(queueOfConfig(dir)).orElse(-1));
        return pids;
    }

    boolean running(Path configDir) {
        return sb.run("postfix", "-c", configDir.toString(), "status").ok();
    }

    void assertRunning(Path configDir) {
        assertTrue(running(configDir), () -> "postfix -c " + configDir + " status: running");
        assertTrue(masterPid(queueOfConfig(configDir)).isPresent(), () -> configDir + ": its master process is alive");
    }

    /** Not running; the master, which exits right after it released its lock, gets 5 s to be gone. */
    void assertStopped(Path configDir) throws InterruptedException {
        assertFalse(running(configDir), () -> "postfix -c " + configDir + " status: not running");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (masterPid(queueOfConfig(configDir)).isPresent() && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(masterPid(queueOfConfig(configDir)).isEmpty(), () -> configDir + ": no master process left");
    }

    /** Has NAME's master logged "TEXT" in the maillog after byte offset mark? */
    boolean masterLogged(String syslogName, String text, int mark) {
        String log = maillogText();
        String tail = log.length() > mark ? log.substring(mark) : "";
        return Pattern.compile(" " + Pattern.quote(syslogName) + "/master\\[\\d+\\]: " + Pattern.quote(text))
            .matcher(tail).find();
    }

    /** NAME's master logs "reload -- version ..." (its postlogd writes the maillog asynchronously: up to 10 s). */
    void assertMasterReloads(String syslogName, int mark) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!masterLogged(syslogName, "reload -- version", mark) && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(masterLogged(syslogName, "reload -- version", mark),
            () -> syslogName + "'s master logged its reload\n" + E2eBorderMta.tail(maillog(), 20));
    }
}
