import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12 end to end: {@code -l --status}, {@code -l -j --status} and {@code -l --metrics} of
 * our postmulti on real Postfix 3.7 instances in a {@link SandboxedPostfix}, checked against
 * Postfix's own answers.
 *
 * <ul>
 * <li>the primary runs, relays to a closed loopback port: three messages deferred, one of them
 *     then put on hold with {@code postsuper -h};</li>
 * <li>postfix-a runs and relays to an smtp-sink that never answers DATA: two messages active;</li>
 * <li>postfix-b ran (two messages deferred), was stopped, and got one more message while stopped
 *     (it waits in maildrop);</li>
 * <li>postfix-c was made and never started.</li>
 * </ul>
 * Evidence: {@code postfix -c DIR status} and master.pid for running and pid; {@code postqueue
 * -c DIR -j} per queue_name for a running instance's counts, a walk of the queue directory for a
 * stopped one's (and for corrupt, which postqueue does not show); {@code promtool check metrics}
 * for the metrics, which must carry the same numbers; and the same listing as {@code nobody}.
 * Skipped (with the reason) unless root, with Postfix and namespaces. About a minute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StatusE2eTest {
    static final String A = "postfix-a";
    static final String B = "postfix-b";
    static final String C = "postfix-c";
    static final int SILENT_SINK_PORT = 2525;
    static final String CLOSED_PORT = "[127.0.0.1]:9";
    static final Pattern JSON_LINE = Pattern.compile("\\{\"name\": \"([^\"]*)\",.*\"config_directory\": \"([^\"]*)\","
            + "\"running\": (true|false|null),\"pid\": (\\d+|null),.*\"queues\": \\{([^}]*)\\}\\}");
    static final Pattern QUEUE_MEMBER = Pattern.compile("\"(\\w+)\": (\\d+|null)");

    SandboxedPostfix sb;
    E2ePostmulti pm;

    /** What -l -j --status said about one instance. */
    record Reported(String name, String configDirectory, Boolean running, Long pid, Map<String, Long> queues) {
    }

    @BeforeAll
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void fourInstancesWithMail() throws Exception {
        Optional<String> why = SandboxedPostfix.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "sandbox unavailable: " + why.orElse(""));
        sb = SandboxedPostfix.create();
        pm = new E2ePostmulti(sb);
        Map<String, String> main = sb.primarySettings("primary.example.test");
        main.put("maillog_file", sb.logDir().resolve("maillog").toString());
        SandboxedPostfix.writeMainCf(sb.primaryConfigDir(), main);
        sb.installMasterCf(sb.primaryConfigDir(), null);
        ok(pm.run(pm.initEnvironment(), "-e", "init"));
        for (String name : List.of(A, B, C)) ok(pm.run("-I", name, "-G", "mta", "-e", "create"));
        ok(pm.run("-x", "postconf", "-e", "inet_protocols = ipv4", "compatibility_level = 3.6",
                "maillog_file = " + sb.logDir().resolve("maillog"), "maillog_file_prefixes = " + sb.root(),
                // nothing moves by itself while we compare: no retries, no timeouts at DATA
                "queue_run_delay = 1h", "minimal_backoff_time = 1h", "maximal_backoff_time = 2h",
                "smtp_data_init_timeout = 1h", "relayhost = " + CLOSED_PORT,
                "authorized_submit_users = static:anyone"));  // -e create makes it empty
        ok(pm.run("-x", "postconf", "-F", "*/*/chroot = n"));
        sb.postconf(sb.configDir(A), "-e", "relayhost = [127.0.0.1]:" + SILENT_SINK_PORT).orThrow();
        for (String name : List.of(A, B, C)) ok(pm.run("-i", name, "-e", "enable"));
        SmtpSink.start(sb, "127.0.0.1", SILENT_SINK_PORT, sb.root().resolve("sink"), "-w", "3600");

        for (Path dir : List.of(sb.primaryConfigDir(), sb.configDir(A), sb.configDir(B))) sb.postfix(dir, "start").orThrow();
        submit(sb.primaryConfigDir(), 3);
        submit(sb.configDir(A), 2);
        submit(sb.configDir(B), 2);
        awaitQueue(sb.primaryConfigDir(), counts -> counts.getOrDefault("deferred", 0L) == 3);
        awaitQueue(sb.configDir(A), counts -> counts.getOrDefault("active", 0L) == 2);
        awaitQueue(sb.configDir(B), counts -> counts.getOrDefault("deferred", 0L) == 2);
        String held = firstQueueId(sb.primaryConfigDir());
        sb.run("postsuper", "-c", sb.primaryConfigDir().toString(), "-h", held).orThrow();
        awaitQueue(sb.primaryConfigDir(), counts -> counts.getOrDefault("hold", 0L) == 1);
        sb.postfix(sb.configDir(B), "stop").orThrow();
        submit(sb.configDir(B), 1);  // postdrop leaves it in maildrop: no pickup runs
    }

    @AfterAll
    void teardown() {
        if (sb != null) sb.close();
    }

    @Test
    void runningAndPidAgreeWithPostfixStatusAndMasterPid() {
        List<Reported> reported = statusJson();
        assertEquals(List.of("-", A, B, C), reported.stream().map(Reported::name).toList());
        for (Reported instance : reported) {
            Path dir = Path.of(instance.configDirectory());
            boolean running = sb.run("postfix", "-c", dir.toString(), "status").ok();
            assertEquals(running, instance.running(), () -> instance + " vs postfix -c " + dir + " status");
            if (running) assertEquals(masterPidFile(dir), instance.pid(), () -> instance + " vs master.pid");
            else assertNull(instance.pid(), instance::toString);
        }
        assertEquals(List.of(true, true, false, false), reported.stream().map(Reported::running).toList());
    }

    @Test
    void countsEqualPostqueueForRunningInstancesAndTheDirectoriesForStoppedOnes() throws IOException {
        Map<String, Map<String, Long>> expectedByName = new LinkedHashMap<>();
        for (Reported instance : statusJson()) {
            Path dir = Path.of(instance.configDirectory());
            Map<String, Long> expected = new LinkedHashMap<>();
            Map<String, Long> postqueue = instance.running() ? postqueueCounts(dir) : null;
            for (String queue : InstanceStatus.QUEUE_NAMES) {
                boolean walk = postqueue == null || queue.equals("corrupt");
                expected.put(queue, walk ? filesUnder(queueDirectory(dir).resolve(queue)) : postqueue.getOrDefault(queue, 0L));
            }
            assertEquals(expected, instance.queues(), instance.name());
            expectedByName.put(instance.name(), expected);
        }
        assertEquals(Map.of("deferred", 2L, "hold", 1L), nonZero(expectedByName.get("-")));
        assertEquals(Map.of("active", 2L), nonZero(expectedByName.get(A)));
        assertEquals(Map.of("deferred", 2L, "maildrop", 1L), nonZero(expectedByName.get(B)));
        assertEquals(Map.of(), nonZero(expectedByName.get(C)));
    }

    @Test
    void plainJsonIsUnchangedAndStatusJsonExtendsItLineByLine() {
        List<String> plain = ok(pm.run("-l", "-j")).stdout.lines().toList();
        List<String> status = sbRun(pm.command(), "-l", "-j", "--status").stdout.lines().toList();
        assertEquals(plain.size(), status.size());
        for (int i = 0; i < plain.size(); i++) {
            String members311 = plain.get(i).substring(0, plain.get(i).length() - 1);
            assertTrue(status.get(i).startsWith(members311 + ",\"running\": "), status.get(i));
        }
    }

    @Test
    void tableShowsTheSameState() {
        List<Reported> reported = statusJson();
        List<String> lines = sbRun(pm.command(), "-l", "--status").stdout.lines().toList();
        assertEquals(reported.size() + 1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).matches("name +group +enabled +config_directory +state +pid +maildrop +incoming +active"
                + " +deferred +hold +corrupt"), lines.get(0));
        for (int i = 0; i < reported.size(); i++) {
            Reported instance = reported.get(i);
            List<String> expected = new ArrayList<>(List.of(instance.name(), "mta", "y", instance.configDirectory(),
                    instance.running() ? "running" : "stopped", instance.pid() == null ? "-" : instance.pid().toString()));
            if (instance.name().equals("-")) expected.set(1, "-");
            instance.queues().values().forEach(count -> expected.add(count.toString()));
            assertEquals(expected, List.of(lines.get(i + 1).split(" +")));
        }
    }

    @Test
    void metricsPassPromtoolAndCarryTheSameNumbers() throws Exception {
        List<Reported> reported = statusJson();
        String metrics = sbRun(pm.command(), "-l", "--metrics").stdout;
        assertEquals("", Promtool.check(metrics));
        for (Reported instance : reported) {
            String labels = "{name=\"" + instance.name() + "\",group=\"" + (instance.name().equals("-") ? "-" : "mta")
                    + "\",config_directory=\"" + instance.configDirectory() + "\"";
            assertTrue(metrics.contains("postfix_instance_up" + labels + "} " + (instance.running() ? 1 : 0) + "\n"), metrics);
            assertTrue(metrics.contains("postfix_instance_enabled" + labels + "} 1\n"), metrics);
            instance.queues().forEach((queue, count) -> assertTrue(metrics.contains(
                    "postfix_instance_queue_messages" + labels + ",queue=\"" + queue + "\"} " + count + "\n"), metrics));
        }
        Matcher ages = Pattern.compile("postfix_instance_queue_oldest_seconds\\{name=\"postfix-b\",[^}]*queue=\"deferred\"\\} (\\d+)")
                .matcher(metrics);
        assertTrue(ages.find() && Long.parseLong(ages.group(1)) < 600, metrics);
    }

    @Test
    void nobodyListsEveryInstanceWithUnknownsAndAFewWarnings() {
        String reason = AsNobody.unavailableReason();
        assumeTrue(reason == null, reason);
        List<Reported> asRoot = statusJson();
        SandboxedPostfix.Result r = sb.run(AsNobody.command(E2ePostmulti.javaOptions(), "-c", sb.primaryConfigDir().toString(),
                "-l", "-j", "--status"));
        assertEquals(0, r.exitCode, r::toString);
        assertFalse(r.stderr.contains("Exception") || r.stderr.contains("\tat "), r::toString);
        List<Reported> asNobody = parse(r.stdout);
        assertEquals(asRoot.stream().map(Reported::name).toList(), asNobody.stream().map(Reported::name).toList());
        List<String> warnings = r.stderr.lines().filter(line -> line.startsWith("postmulti: warning: ")).toList();
        Set<String> kinds = new HashSet<>();
        for (String warning : warnings) assertTrue(kinds.add(warning.substring(warning.lastIndexOf(": "))), r::toString);
        assertTrue(asNobody.stream().anyMatch(instance -> instance.queues().containsValue(null)), r::toString);
        assertTrue(warnings.stream().anyMatch(w -> w.endsWith(": message counts unknown")), r::toString);
        // master.pid's directory is open to all: whether a master runs is known to nobody too
        assertEquals(asRoot.stream().map(Reported::running).toList(), asNobody.stream().map(Reported::running).toList());
        assertEquals(asRoot.stream().map(Reported::pid).toList(), asNobody.stream().map(Reported::pid).toList());
        SandboxedPostfix.Result metrics = sb.run(AsNobody.command(E2ePostmulti.javaOptions(), "-c",
                sb.primaryConfigDir().toString(), "-l", "--metrics"));
        assertEquals(0, metrics.exitCode, metrics::toString);
        assertTrue(metrics.stdout.contains("postfix_instance_up{name=\"postfix-a\""), metrics::toString);
    }

    // ---- helpers ------------------------------------------------------------

    List<Reported> statusJson() {
        return parse(sbRun(pm.command(), "-l", "-j", "--status").stdout);
    }

    static List<Reported> parse(String jsonLines) {
        List<Reported> reported = new ArrayList<>();
        for (String line : jsonLines.lines().toList()) {
            Matcher m = JSON_LINE.matcher(line);
            assertTrue(m.matches(), line);
            Map<String, Long> queues = new LinkedHashMap<>();
            Matcher member = QUEUE_MEMBER.matcher(m.group(5));
            while (member.find()) queues.put(member.group(1), member.group(2).equals("null") ? null : Long.valueOf(member.group(2)));
            reported.add(new Reported(m.group(1), m.group(2), m.group(3).equals("null") ? null : Boolean.valueOf(m.group(3)),
                    m.group(4).equals("null") ? null : Long.valueOf(m.group(4)), queues));
        }
        return reported;
    }

    /** Our tool inside the sandbox, stdout and stderr apart; it must succeed with nothing on stderr. */
    SandboxedPostfix.Result sbRun(List<String> command, String... args) {
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of(args));
        SandboxedPostfix.Result r = sb.run(full);
        assertEquals(0, r.exitCode, r::toString);
        assertEquals("", r.stderr, r::toString);
        return r;
    }

    void submit(Path configDir, int messages) {
        for (int i = 0; i < messages; i++) {
            sb.run(List.of("sendmail", "-C", configDir.toString(), "-i", "-f", "sender@example.test", "rcpt@example.test"),
                    Map.of(), "Subject: status test " + i + "\n\nqueued\n", Duration.ofMinutes(1)).orThrow();
        }
    }

    /** postqueue -c DIR -j: messages per queue_name. */
    Map<String, Long> postqueueCounts(Path configDir) {
        Map<String, Long> counts = new LinkedHashMap<>();
        String out = sb.run("postqueue", "-c", configDir.toString(), "-j").orThrow().stdout;
        Matcher m = Pattern.compile("\"queue_name\": \"(\\w+)\"").matcher(out);
        while (m.find()) counts.merge(m.group(1), 1L, Long::sum);
        return counts;
    }

    String firstQueueId(Path configDir) {
        Matcher m = Pattern.compile("\"queue_id\": \"(\\w+)\"").matcher(
                sb.run("postqueue", "-c", configDir.toString(), "-j").orThrow().stdout);
        assertTrue(m.find(), "a queued message");
        return m.group(1);
    }

    void awaitQueue(Path configDir, Predicate<Map<String, Long>> settled) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!settled.test(postqueueCounts(configDir)) && System.nanoTime() < deadline) Thread.sleep(250);
        assertTrue(settled.test(postqueueCounts(configDir)), () -> configDir + ": " + postqueueCounts(configDir));
    }

    Path queueDirectory(Path configDir) {
        return Path.of(sb.postconf(configDir, "-h", "queue_directory").orThrow().stdout.trim());
    }

    Long masterPidFile(Path configDir) {
        try {
            return Long.valueOf(Files.readString(queueDirectory(configDir).resolve("pid/master.pid")).trim());
        } catch (IOException e) {
            return null;
        }
    }

    /** What find DIR -type f | wc -l says. */
    static long filesUnder(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) return 0;
        try (Stream<Path> tree = Files.walk(directory)) {
            return tree.filter(Files::isRegularFile).count();
        }
    }

    static Map<String, Long> nonZero(Map<String, Long> counts) {
        Map<String, Long> nonZero = new LinkedHashMap<>(counts);
        nonZero.values().removeIf(count -> count == 0);
        return nonZero;
    }

    static SandboxedPostfix.Result ok(SandboxedPostfix.Result r) {
        assertEquals(0, r.exitCode, r::toString);
        return r;
    }
}
