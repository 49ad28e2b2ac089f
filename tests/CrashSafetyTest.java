import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Crash safety of the life-cycle actions: our tool, run as an admin runs it (a JVM of its own), is
 * killed with SIGKILL in the middle of {@code -e init|create|import|assign|enable|deport|destroy},
 * 200 times, and after each kill:
 * <ul>
 * <li>every file of the configuration (each main.cf, master.cf) is its old or its new version,
 * never partial, and no directory appears that neither version has;
 * <li>every instance in multi_instance_directories is complete (main.cf and master.cf) and none
 * is a temporary file or the staging directory;
 * <li>the next run works: {@code -l} succeeds, and a retry of the same action either completes,
 * leaving the tree as an uninterrupted run does (the killed run's temporary files removed), or
 * refuses with one fatal line and changes nothing.
 * </ul>
 * Where to kill: the tool's commit takes a few milliseconds of a half-second run, so random kills
 * rarely land in it. A test hook ({@link CrashPoint}, on when POSTMULTI_TEST_PAUSE_AT
 * is set) stops the tool at the N-th point where a crash would leave a different state on disk
 * (each temporary file written, rename, link, mkdir, step of the plan, cleanup) until it is killed;
 * the trials go through every point of every action, and a fifth of them kill at a random time
 * instead, hook off. Trials run a few at a time (each starts a JVM); the checks and retries run in
 * this JVM, one at a time.
 */
class CrashSafetyTest {
    private static final int TRIALS = 200;
    private static final int RANDOM_TIME_TRIALS = 40;
    private static final int PARALLEL = 3;
    private static final String MARK = "postmulti: test pause ";
    /** One in-process run of the tool at a time: Msg's stream is global. */
    private static final Object IN_PROCESS = new Object();

    /** An action and how to prepare the tree for it. */
    private record Scenario(String name, boolean initialized, Consumer<FixtureTree> setup, String... args) {
    }

    private static final List<Scenario> SCENARIOS = List.of(
            new Scenario("create", true, tree -> { }, "-I", "postfix-new", "-G", "mta", "-e", "create"),
            new Scenario("create-second", true, tree -> ok(tree, "-I", "postfix-a", "-e", "create"),
                    "-a", "-I", "postfix-new", "-e", "create"),
            new Scenario("import", true, tree -> tree.secondary("postfix-x", "postfix-old", "g0", false, ""),
                    "-I", "postfix-x", "-G", "mta", "-e", "import"),
            new Scenario("assign", true, tree -> ok(tree, "-I", "postfix-a", "-e", "create"),
                    "-i", "postfix-a", "-I", "postfix-b", "-G", "grp", "-e", "assign"),
            new Scenario("enable", true, tree -> ok(tree, "-I", "postfix-a", "-e", "create"), "-i", "postfix-a", "-e", "enable"),
            new Scenario("deport", true, tree -> {
                ok(tree, "-I", "postfix-a", "-e", "create");
                ok(tree, "-I", "postfix-b", "-e", "create");
            }, "-i", "postfix-a", "-e", "deport"),
            new Scenario("destroy", true, tree -> {
                ok(tree, "-I", "postfix-a", "-e", "create");
                ok(tree, "-I", "postfix-b", "-e", "create");
            }, "-i", "postfix-a", "-e", "destroy"),
            new Scenario("init", false, tree -> { }, "-e", "init"));

    /** One trial: an action, and the crash point to stop at (0: a random time instead). */
    private record Trial(Scenario scenario, int point, long delayMillis) {
        @Override
        public String toString() {
            return scenario.name() + (point > 0 ? " at point " + point : " after " + delayMillis + " ms");
        }
    }

    /** What the trials saw, for the failure message and the summary. */
    private static final class Tally {
        final AtomicInteger killedInCommit = new AtomicInteger();
        final AtomicInteger randomKillsInCommit = new AtomicInteger();
        final AtomicInteger retriesCompleted = new AtomicInteger();
        final AtomicInteger retriesRefused = new AtomicInteger();
        final AtomicInteger leftoverTemporaries = new AtomicInteger();
        final Map<String, String> refusals = Collections.synchronizedMap(new TreeMap<>());
    }

    @Test
    void killedAnywhereTheConfigurationIsOldOrNewAndTheNextRunWorks() throws Exception {
        Map<Scenario, List<String>> points = new HashMap<>();
        for (Scenario scenario : SCENARIOS) points.put(scenario, crashPoints(scenario));
        List<Trial> trials = trials(points);
        Tally tally = new Tally();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Trial trial : trials) {
                running.add(pool.submit(() -> {
                    try {
                        run(trial, points.get(trial.scenario()), tally);
                    } catch (Throwable t) {
                        failures.add(trial + ": " + t + (t.getCause() != null ? "\n  caused by " + t.getCause() : ""));
                    }
                }));
            }
            for (Future<?> future : running) future.get(10, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        String summary = trials.size() + " trials: " + tally.killedInCommit + " killed in the commit ("
                + tally.randomKillsInCommit + " of " + RANDOM_TIME_TRIALS + " random-time kills), retries "
                + tally.retriesCompleted + " completed and " + tally.retriesRefused + " refused " + tally.refusals
                + ", temporary files left behind (unregistered) after " + tally.leftoverTemporaries + " kills";
        if (System.getenv("POSTMULTI_CRASH_SUMMARY") != null) System.out.println("CrashSafetyTest: " + summary);
        if (!failures.isEmpty())
            fail(failures.size() + " of " + summary + "\n" + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
    }

    /** The points where the action can be stopped, from a run with the hook listing them. */
    private static List<String> crashPoints(Scenario scenario) {
        FixtureTree tree = prepared(scenario);
        try {
            Tool.Result result = Tool.exec(command(tree, scenario), Map.of("POSTMULTI_TEST_PAUSE_AT", "0"), null);
            assertEquals(0, result.status(), scenario.name() + ": " + result.err());
            List<String> points = result.err().lines().filter(l -> l.startsWith(MARK)).toList();
            assertTrue(points.size() >= 2, scenario.name() + " has no crash points: " + result.err());
            return points;
        } finally {
            tree.close();
        }
    }

    /** Every point of every action, in turn, until the hook's share of the trials is used; then random times. */
    private static List<Trial> trials(Map<Scenario, List<String>> points) {
        Random random = new Random(RandomCases.DEFAULT_SEED);
        List<Trial> trials = new ArrayList<>();
        for (int round = 0; trials.size() < TRIALS - RANDOM_TIME_TRIALS; round++) {
            for (Scenario scenario : SCENARIOS) {
                int count = points.get(scenario).size();
                if (round < count && trials.size() < TRIALS - RANDOM_TIME_TRIALS)
                    trials.add(new Trial(scenario, (round % count) + 1, 0));
                else if (round >= count && trials.size() < TRIALS - RANDOM_TIME_TRIALS)
                    trials.add(new Trial(scenario, 1 + random.nextInt(count), 0));
            }
        }
        while (trials.size() < TRIALS)
            trials.add(new Trial(SCENARIOS.get(random.nextInt(SCENARIOS.size())), 0, random.nextInt(1200)));
        return trials;
    }

    private static void run(Trial trial, List<String> points, Tally tally) throws Exception {
        FixtureTree tree = prepared(trial.scenario());
        try {
            Map<String, String> old = state(tree);
            Map<String, String> done;
            synchronized (IN_PROCESS) {
                FixtureTree.Run reference = tree.run(with(trial.scenario().args()));
                assertEquals(0, reference.status(), "uninterrupted run: " + reference.both());
                done = state(tree);
            }
            restore(tree, old);
            String where = kill(tree, trial);
            String context = trial + (where.isEmpty() ? "" : " (" + where + ")");
            Map<String, String> killed = state(tree);
            if (!killed.equals(old)) {
                tally.killedInCommit.incrementAndGet();
                if (trial.point() == 0) tally.randomKillsInCommit.incrementAndGet();
            }
            if (killed.keySet().stream().anyMatch(CrashSafetyTest::temporary)) tally.leftoverTemporaries.incrementAndGet();
            checkOldOrNew(context, old, done, killed);
            checkRegistered(context, tree, killed);
            synchronized (IN_PROCESS) {
                FixtureTree.Run list = tree.run("--no-syslog", "-l");
                assertEquals(0, list.status(), context + ": -l after the kill: " + list.both());
                FixtureTree.Run retry = tree.run(with(trial.scenario().args()));
                Map<String, String> after = state(tree);
                if (retry.status() == 0) {
                    tally.retriesCompleted.incrementAndGet();
                    assertEquals("", difference(done, after), context + ": a retry that completes leaves the tree as an uninterrupted run, without the killed run's temporary files");
                } else {
                    tally.retriesRefused.incrementAndGet();
                    tally.refusals.merge(trial.scenario().name(), retry.err().strip(), (a, b) -> a);
                    assertEquals("", retry.out(), context + ": retry");
                    assertTrue(retry.err().matches("postmulti: fatal: [^\n]*\n"), context + ": a refusal is one fatal line: " + retry.err());
                    assertEquals(persistent(killed), persistent(after), context + ": a refused retry changes nothing");
                }
            }
        } finally {
            tree.close();
        }
    }

    /** Runs the action in a JVM of its own and kills it (SIGKILL) at the trial's point or time; says where it stopped. */
    private static String kill(FixtureTree tree, Trial trial) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command(tree, trial.scenario()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().remove("MAIL_CONFIG");
        if (trial.point() > 0) builder.environment().put("POSTMULTI_TEST_PAUSE_AT", String.valueOf(trial.point()));
        Process process = builder.start();
        String where = "";
        try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.ISO_8859_1))) {
            if (trial.point() > 0) {
                String line;
                while ((line = err.readLine()) != null && !line.startsWith(MARK)) {
                    // warnings before the pause, if any, do not matter here
                }
                if (line == null) {
                    process.waitFor(60, TimeUnit.SECONDS);
                    fail(trial + ": the tool ended (status " + process.exitValue() + ") before the crash point");
                }
                where = line.substring(MARK.length());
            } else {
                process.waitFor(trial.delayMillis(), TimeUnit.MILLISECONDS);
            }
            // A crash takes what the tool runs with it (set-permissions, say): a child left running
            // would go on changing the tree while it is checked.
            // Stopped first, so that it starts no child between the listing and the kill.
            new ProcessBuilder("kill", "-STOP", String.valueOf(process.pid())).start().waitFor();
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            if (!process.waitFor(60, TimeUnit.SECONDS)) fail(trial + ": the tool did not die of SIGKILL");
            for (ProcessHandle child : children) child.onExit().get(60, TimeUnit.SECONDS);
        }
        return where;
    }

    // ----------------------------------------------------------------- the checks

    /** Every file is as before or as after an uninterrupted run; no directory appears that neither has. */
    private static void checkOldOrNew(String context, Map<String, String> old, Map<String, String> done,
                                      Map<String, String> killed) {
        Set<String> paths = new LinkedHashSet<>(old.keySet());
        paths.addAll(done.keySet());
        paths.addAll(killed.keySet());
        for (String path : paths) {
            if (temporary(path)) continue;
            String now = killed.get(path);
            if (now == null) {
                // Gone: fine if it is gone after the action too, or not there before it.
                assertTrue(done.get(path) == null || old.get(path) == null,
                        context + ": " + path + " vanished");
                continue;
            }
            assertTrue(now.equals(old.get(path)) || now.equals(done.get(path)),
                    context + ": " + path + " is neither old nor new: " + now + "\nold: " + old.get(path) + "\nnew: " + done.get(path));
        }
    }

    /** Every registered instance is complete, and no temporary file or staging directory is registered. */
    private static void checkRegistered(String context, FixtureTree tree, Map<String, String> killed) {
        String primary = killed.get("etc/postfix/main.cf");
        assertTrue(primary != null, context + ": the primary main.cf is gone");
        String list = FixtureTree.setting(primary.substring(primary.indexOf('\n') + 1), "multi_instance_directories");
        if (list == null) return;
        for (String directory : list.split("[ \t,]+")) {
            if (directory.isEmpty()) continue;
            String relative = tree.root.relativize(Path.of(directory)).toString();
            assertTrue(!temporary(relative + "/main.cf"), context + ": a temporary directory is registered: " + directory);
            for (String file : List.of("main.cf", "master.cf")) {
                String state = killed.get(relative + "/" + file);
                assertTrue(state != null && state.startsWith("f "), context + ": registered " + directory + " lacks " + file);
            }
        }
    }

    // ----------------------------------------------------------------- trees and their state

    private static FixtureTree prepared(Scenario scenario) {
        FixtureTree tree = scenario.initialized() ? FixtureTree.initialized("") : FixtureTree.create("");
        synchronized (IN_PROCESS) {
            scenario.setup().accept(tree);
        }
        return tree;
    }

    private static void ok(FixtureTree tree, String... args) {
        FixtureTree.Run run = tree.run(with(args));
        if (run.status() != 0) throw new AssertionError(String.join(" ", args) + ": " + run.both());
    }

    private static String[] with(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "--no-syslog";
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }

    private static List<String> command(FixtureTree tree, Scenario scenario) {
        return Tool.command(tree.withPrimary(with(scenario.args())));
    }

    /** The tree's own files: not the fake programs and prototypes, or the fake postfix's log. */
    private static boolean ignored(String path) {
        return path.startsWith("usr/") || path.equals("usr") || path.equals("postfix.log") || path.equals("running")
                || path.startsWith("set-permissions.") || path.isEmpty();
    }

    /** A staging directory or a temporary file of AtomicFile. */
    static boolean temporary(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return ("/" + path + "/").contains("/" + Lifecycle.STAGING + "/") || name.matches("\\..*\\.[0-9a-f]{16}\\.tmp");
    }

    /** Path (relative) to "d MODE" or "f MODE content" or "l target", for everything under the tree but {@link #ignored}. */
    private static Map<String, String> state(FixtureTree tree) {
        Map<String, String> state = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(tree.root)) {
            for (Path path : walk.toList()) {
                String relative = tree.root.relativize(path).toString();
                if (ignored(relative)) continue;
                Map<String, Object> attributes = Files.readAttributes(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                String mode = String.format("%04o", ((Integer) attributes.get("mode")) & 07777);
                if (Files.isSymbolicLink(path)) state.put(relative, "l " + Files.readSymbolicLink(path));
                else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) state.put(relative, "d " + mode);
                else state.put(relative, "f " + mode + "\n" + new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return state;
    }

    /** The paths whose state differs, with both states ("" when none do). */
    private static String difference(Map<String, String> expected, Map<String, String> actual) {
        Set<String> paths = new TreeSet<>(expected.keySet());
        paths.addAll(actual.keySet());
        StringBuilder text = new StringBuilder();
        for (String path : paths) {
            if (!java.util.Objects.equals(expected.get(path), actual.get(path)))
                text.append(path).append(": expected ").append(expected.get(path)).append(", found ").append(actual.get(path)).append('\n');
        }
        return text.toString();
    }

    /** The state without temporary files: what a run leaves that matters. */
    private static Map<String, String> persistent(Map<String, String> state) {
        Map<String, String> kept = new TreeMap<>(state);
        kept.keySet().removeIf(CrashSafetyTest::temporary);
        return kept;
    }

    /** Puts the tree back as it was (for what {@link #state} sees): extra entries removed, files rewritten. */
    private static void restore(FixtureTree tree, Map<String, String> old) throws IOException {
        Map<String, String> now = state(tree);
        List<String> extra = new ArrayList<>(now.keySet());
        extra.removeIf(path -> now.get(path).equals(old.get(path)) || (old.containsKey(path) && now.get(path).startsWith("d ")
                && old.get(path).startsWith("d ")));
        extra.sort(Comparator.reverseOrder());
        for (String path : extra) {
            Path real = tree.root.resolve(path);
            if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
                if (!old.containsKey(path)) deleteTree(real);
            } else {
                Files.deleteIfExists(real);
            }
        }
        for (Map.Entry<String, String> entry : old.entrySet()) {
            Path real = tree.root.resolve(entry.getKey());
            String value = entry.getValue();
            int mode = Integer.parseInt(value.substring(2, 6), 8);
            if (value.startsWith("d ")) {
                Files.createDirectories(real);
                Files.setAttribute(real, "unix:mode", mode);
            } else if (value.startsWith("f ") && !value.equals(now.get(entry.getKey()))) {
                Files.write(real, value.substring(7).getBytes(StandardCharsets.ISO_8859_1));
                Files.setAttribute(real, "unix:mode", mode);
            }
        }
        Map<String, String> restored = state(tree);
        if (!restored.equals(old)) throw new IllegalStateException("restore failed: " + restored.keySet() + " vs " + old.keySet());
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
        }
    }
}
