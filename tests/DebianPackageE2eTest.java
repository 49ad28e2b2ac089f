import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Debian package as a mail host gets it: built by tools/build-deb.sh, installed with dpkg in a
 * sandbox whose /etc, /usr and /var are throwaway overlays, the walkthrough's layout built with the
 * installed /usr/sbin/postmulti, then driven by Debian's own clients as they really run (the
 * postfix@.service lines in systemd's environment, configure-instance.sh, /etc/init.d/postfix,
 * postfix(1) through multi_instance_wrapper). Each step is checked by what the instances do
 * (master processes, postfix status, listening sockets, SMTP banners), not by what postmulti says.
 * Then dpkg -r gives the C program back, and the same clients work with it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPackageE2eTest {
    static final String PACKAGE = "postmulti-java";
    static final String SYSTEMD_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final Path C_PROGRAM = Path.of("/usr/sbin/postmulti");
    static final Path C_MAN_PAGE = Path.of("/usr/share/man/man1/postmulti.1.gz");
    static final Duration PATIENCE = Duration.ofSeconds(20);

    record Instance(String name, Path config, Path queue, int port) {
    }

    private static Path deb;
    private static SandboxedPostfix sandbox;
    private static E2eBorderMta mta;
    private static List<Instance> instances;
    private static int reloads;
    /** lintian takes about a minute: it runs while the sandbox work goes on. */
    private static Process lintian;
    private static Path lintianOutput;

    @BeforeAll
    static void buildAndSandbox() throws IOException {
        Optional<String> unavailable = SandboxedPostfix.unavailableReason();
        assumeTrue(unavailable.isEmpty(), unavailable.orElse(""));
        for (String tool : List.of("dpkg", "dpkg-deb", "dpkg-divert", "setsid", "bash")) {
            assumeTrue(SandboxedPostfix.which(tool).isPresent(), "needs " + tool);
        }
        assumeTrue(Files.isRegularFile(Path.of("/lib/systemd/system/postfix@.service")), "needs Debian's postfix@.service");
        assumeTrue(Files.isExecutable(Path.of("/etc/init.d/postfix")), "needs Debian's /etc/init.d/postfix");
        assumeTrue(javaRuntimeInstalled(), "needs a Java 17+ runtime installed as a Debian package (the package's Depends)");
        deb = packageUnderTest();
        startLintian();
        sandbox = SandboxedPostfix.createForPackages();
        for (String overlay : List.of("/etc", "/usr", "/var")) {
            assumeTrue(sandbox.overlayNotes().contains("overlay " + overlay + ": upper"),
                    "needs a throwaway overlay over " + overlay + ": " + sandbox.overlayNotes());
        }
        mta = new E2eBorderMta(sandbox, E2eBorderMta.Flavor.REAL);
        instances = List.of(
                new Instance("-", mta.primary(), sandbox.primaryQueueDir(), 0),
                new Instance("postfix-out", mta.outConfig(), sandbox.queueDir("postfix-out"), E2eBorderMta.REINJECT_PORT),
                new Instance("postfix-in", mta.inConfig(), sandbox.queueDir("postfix-in"), E2eBorderMta.IN_PORT));
    }

    /** tools/build-deb.sh's package, or the one POSTMULTI_DEB names (built before, or another launcher in it). */
    private static Path packageUnderTest() {
        String given = System.getenv("POSTMULTI_DEB");
        if (given != null && !given.isEmpty()) return Path.of(given).toAbsolutePath();
        Tool.Result build = Tool.exec(List.of("tools/build-deb.sh"), Map.of(), null);
        assertEquals(0, build.status(), build.err());
        return Path.of(build.out().strip().lines().reduce((first, last) -> last).orElseThrow());
    }

    private static void startLintian() throws IOException {
        if (SandboxedPostfix.which("lintian").isEmpty()) return;
        lintianOutput = Files.createTempFile("lintian", ".txt");
        lintian = new ProcessBuilder("lintian", "--fail-on", "error", deb.toString()).redirectErrorStream(true)
                .redirectOutput(lintianOutput.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (lintian != null) lintian.destroyForcibly();
        if (lintianOutput != null) Files.deleteIfExists(lintianOutput);
        if (sandbox != null) sandbox.close();
    }

    @Test
    @Order(7)
    void lintianReportsNoErrors() throws IOException, InterruptedException {
        assumeTrue(lintian != null, "needs lintian");
        assertTrue(lintian.waitFor(5, java.util.concurrent.TimeUnit.MINUTES), "lintian still running");
        String report = Files.readString(lintianOutput);
        assertEquals(0, lintian.exitValue(), report);
        assertFalse(report.lines().anyMatch(line -> line.startsWith("E:")), report);
    }

    /** Install, reinstall, upgrade: every time ours is postmulti and the C program is set aside. */
    @Test
    @Order(2)
    void installReinstallAndUpgradeDivertTheCProgram() throws IOException {
        // man-db's trigger (mandb, seconds each time) has nothing to do with what is tested here
        Files.deleteIfExists(sandbox.insideView("/var/lib/man-db/auto-update"));
        Path upgrade = withVersion(deb, "99");
        for (Path package_ : List.of(deb, deb, upgrade)) {
            dpkg("-i", package_.toString());
            assertOursInstalled();
        }
        dpkg("-i", deb.toString()); // a downgrade, so that the last install is the package as built
        assertOursInstalled();
    }

    /** The walkthrough's layout, made by the installed postmulti; init writes the C program's default wrapper. */
    @Test
    @Order(3)
    void initWritesTheCProgramsWrapper() throws IOException {
        mta.setUpNullClient();
        mta.init();
        assertEquals("${command_directory}/postmulti -p --",
                sandbox.postconf(mta.primary(), "-h", "multi_instance_wrapper").orThrow().stdout.strip());
        mta.createOutput();
        mta.configureOutput();
        mta.createInput();
        mta.configureInput();
        for (String name : List.of("postfix-out", "postfix-in")) {
            mta.postmultiOk("-i", name, "-x", "postconf", "-e", "master_service_disable =");
            mta.postmultiOk("-i", name, "-e", "enable");
        }
        assertEquals("-               -               y         /etc/postfix\n"
                + "postfix-out     mta             y         " + mta.outConfig() + "\n"
                + "postfix-in      mta             y         " + mta.inConfig() + "\n",
                systemd("postmulti", "-l").orThrow().stdout);
        reportListTime("our postmulti");
    }

    @Test
    @Order(4)
    void debiansClientsDriveOurPostmulti() throws IOException, InterruptedException {
        driveWithDebiansClients("our postmulti", true);
    }

    /** dpkg -r: the C program and its manual page are back, and drive the same instances. */
    @Test
    @Order(5)
    void removalGivesTheCProgramBack() throws IOException, InterruptedException {
        dpkg("-r", PACKAGE);
        assertCProgramRestored();
        assertFalse(Files.exists(sandbox.insideView("/usr/share/" + PACKAGE)), "/usr/share/" + PACKAGE + " left behind");
        driveWithDebiansClients("the C postmulti", false);
        reportListTime("the C postmulti");
    }

    /** What -l takes in postfix(1)'s environment (a measurement for docs/PACKAGE.md, not a check). */
    private static void reportListTime(String postmulti) {
        List<Long> millis = new ArrayList<>();
        for (int run = 0; run < 10; run++) {
            SandboxedPostfix.Result list = sandbox.run("env", "-i", LauncherEnvironmentTest.POSTFIX_PATH, "/usr/sbin/postmulti", "-l");
            millis.add(list.orThrow().elapsed.toMillis());
        }
        java.util.Collections.sort(millis);
        System.out.printf("-l in postfix's environment, %s: median %d ms, fastest %d ms (10 runs, nsenter included)%n",
                postmulti, millis.get(5), millis.get(0));
    }

    /** Purge after a fresh install leaves none of the package's files, nor the archive made at install time. */
    @Test
    @Order(6)
    void purgeLeavesNothingBehind() throws IOException {
        dpkg("-i", deb.toString());
        assertOursInstalled();
        dpkg("--purge", PACKAGE);
        assertCProgramRestored();
        List<String> restored = List.of(C_PROGRAM.toString(), C_MAN_PAGE.toString()); // Postfix's again
        for (String path : packagedPaths()) {
            if (restored.contains(path)) continue;
            assertFalse(Files.exists(sandbox.insideView(path), java.nio.file.LinkOption.NOFOLLOW_LINKS), path + " left behind");
        }
        assertFalse(Files.exists(sandbox.insideView("/var/cache/" + PACKAGE)), "/var/cache/" + PACKAGE + " left behind");
    }

    // ---- the clients ----------------------------------------------------------------------

    /**
     * Every client and action with ours; with the C program (the oracle, back after removal) each
     * client's start, status and stop only, which keeps the test's run time in bounds.
     */
    private static void driveWithDebiansClients(String postmulti, boolean everyAction) throws IOException, InterruptedException {
        long start = System.nanoTime();
        systemdUnitLines(everyAction);
        long unit = System.nanoTime();
        initScript(everyAction);
        long init = System.nanoTime();
        postfixCommand(everyAction);
        System.out.printf("Debian's clients with %s: postfix@.service lines %d ms, init script %d ms, postfix %d ms%n",
                postmulti, (unit - start) / 1_000_000, (init - unit) / 1_000_000, (System.nanoTime() - init) / 1_000_000);
    }

    /** Each Exec line of postfix@.service, per instance, in systemd's environment. */
    private static void systemdUnitLines(boolean everyAction) throws IOException, InterruptedException {
        Map<String, String> unit = execLines();
        for (Instance instance : instances) {
            systemd(unitLine(unit, "ExecStartPre", instance)).orThrow();
            systemd(unitLine(unit, "ExecStart", instance)).orThrow();
            assertRunning(instance);
        }
        for (Instance instance : everyAction ? instances : List.<Instance>of()) {
            long master = assertRunning(instance);
            String banner = newBanner(instance);
            systemd(unitLine(unit, "ExecReload", instance)).orThrow();
            assertReloaded(instance, master, banner);
        }
        for (Instance instance : reversed(instances)) {
            systemd(unitLine(unit, "ExecStop", instance)).orThrow();
            assertStopped(instance);
        }
    }

    private static void initScript(boolean everyAction) throws IOException, InterruptedException {
        systemd("/etc/init.d/postfix", "start").orThrow();
        Map<Instance, Long> masters = assertAllRunning();
        SandboxedPostfix.Result status = systemd("/etc/init.d/postfix", "status").orThrow();
        assertTrue(status.stdout.contains("postfix is running"), status.toString());
        if (everyAction) initScriptReloadAndRestart(masters);
        systemd("/etc/init.d/postfix", "stop").orThrow();
        for (Instance instance : instances) assertStopped(instance);
        assertEquals(3, systemd("/etc/init.d/postfix", "status").exitCode);
    }

    private static void initScriptReloadAndRestart(Map<Instance, Long> masters) throws InterruptedException {
        Map<Instance, String> banners = newBanners();
        systemd("/etc/init.d/postfix", "reload").orThrow();
        for (Instance instance : instances) assertReloaded(instance, masters.get(instance), banners.get(instance));
        systemd("/etc/init.d/postfix", "check").orThrow();
        systemd("/etc/init.d/postfix", "flush").orThrow();
        systemd("/etc/init.d/postfix", "restart").orThrow();
        Map<Instance, Long> restarted = assertAllRunning();
        for (Instance instance : instances) assertNotEquals(masters.get(instance), restarted.get(instance), instance.name());
    }

    /** Plain postfix(1): with multi_instance_directories set, it runs multi_instance_wrapper for all. */
    private static void postfixCommand(boolean everyAction) throws IOException, InterruptedException {
        systemd("postfix", "start").orThrow();
        Map<Instance, Long> masters = assertAllRunning();
        systemd("postfix", "status").orThrow();
        if (everyAction) {
            Map<Instance, String> banners = newBanners();
            systemd("postfix", "reload").orThrow();
            for (Instance instance : instances) assertReloaded(instance, masters.get(instance), banners.get(instance));
        }
        systemd("postfix", "stop").orThrow();
        for (Instance instance : instances) assertStopped(instance);
    }

    /** A command as systemd runs a service without User=: no HOME, no terminal, stdin /dev/null, cwd /. */
    private static SandboxedPostfix.Result systemd(String... command) {
        List<String> line = new ArrayList<>(List.of("setsid", "-w", "env", "-i", SYSTEMD_PATH, "LANG=C",
                "sh", "-c", "cd / && umask 022 && exec \"$@\"", "sh"));
        line.addAll(List.of(command));
        return sandbox.run(line, Map.of(), null, Duration.ofMinutes(2));
    }

    private static Map<String, String> execLines() throws IOException {
        Map<String, String> lines = new LinkedHashMap<>();
        for (String line : Files.readAllLines(sandbox.insideView("/lib/systemd/system/postfix@.service"))) {
            int equals = line.indexOf('=');
            if (line.startsWith("Exec") && equals > 0) lines.put(line.substring(0, equals), line.substring(equals + 1));
        }
        assertEquals(List.of("ExecStartPre", "ExecStart", "ExecStop", "ExecReload"), List.copyOf(lines.keySet()));
        return lines;
    }

    /** The unit's line with %i filled in, as words (Debian's lines have no quoting or prefixes). */
    private static String[] unitLine(Map<String, String> unit, String key, Instance instance) {
        String line = unit.get(key).replace("%i", instance.name());
        assertTrue(line.startsWith("/"), key + " has a prefix this test does not know: " + line);
        return line.split(" ");
    }

    // ---- independent checks ---------------------------------------------------------------

    private static long assertRunning(Instance instance) throws InterruptedException {
        Optional<Long> master = awaitMaster(instance, true);
        assertTrue(master.isPresent(), "no master process for " + instance.name() + "\n" + mta.transcript());
        assertEquals(0, postfixStatus(instance), instance.name() + ": postfix status");
        if (instance.port() != 0) {
            assertTrue(HostInstances.listening(sandbox, instance.port()), instance.name() + " listens on " + instance.port());
        }
        return master.get();
    }

    private static Map<Instance, Long> assertAllRunning() throws InterruptedException {
        Map<Instance, Long> masters = new LinkedHashMap<>();
        for (Instance instance : instances) masters.put(instance, assertRunning(instance));
        return masters;
    }

    private static void assertStopped(Instance instance) throws InterruptedException {
        assertTrue(awaitMaster(instance, false).isEmpty(), instance.name() + ": master still running");
        assertNotEquals(0, postfixStatus(instance), instance.name() + ": postfix status");
        if (instance.port() != 0) {
            assertFalse(HostInstances.listening(sandbox, instance.port()), instance.name() + " still listens");
        }
    }

    /** The same master, and (for a listener) new settings in effect: the SMTP banner set before the reload. */
    private static void assertReloaded(Instance instance, long master, String banner) throws InterruptedException {
        assertEquals(Optional.of(master), HostInstances.master(sandbox, instance.queue()), instance.name() + ": master replaced");
        if (instance.port() == 0) return;
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String seen;
        do {
            seen = sandbox.run("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + instance.port() + " && head -n 1 <&3").stdout;
            if (seen.contains(banner)) return;
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(instance.name() + ": banner " + banner + " not in effect after reload: " + seen);
    }

    /** Sets a new smtpd_banner in the instance's main.cf (not yet reloaded); returns its text. */
    private static String newBanner(Instance instance) {
        String banner = "reload-" + ++reloads;
        sandbox.postconf(instance.config(), "-e", "smtpd_banner = $myhostname ESMTP " + banner).orThrow();
        return banner;
    }

    private static Map<Instance, String> newBanners() {
        Map<Instance, String> banners = new LinkedHashMap<>();
        for (Instance instance : instances) banners.put(instance, newBanner(instance));
        return banners;
    }

    private static Optional<Long> awaitMaster(Instance instance, boolean present) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Optional<Long> master = HostInstances.master(sandbox, instance.queue());
        while (master.isPresent() != present && System.nanoTime() < deadline) {
            Thread.sleep(100);
            master = HostInstances.master(sandbox, instance.queue());
        }
        return master;
    }

    private static int postfixStatus(Instance instance) {
        return sandbox.run("postfix", "-c", instance.config().toString(), "status").exitCode;
    }

    // ---- the package ----------------------------------------------------------------------

    private static void assertOursInstalled() throws IOException {
        assertTrue(systemd("postmulti", "-V").orThrow().stdout.startsWith("postmulti.java "), "postmulti -V");
        assertArrayEquals(Files.readAllBytes(C_PROGRAM), Files.readAllBytes(sandbox.insideView("/usr/sbin/postmulti.postfix")));
        assertArrayEquals(Files.readAllBytes(C_MAN_PAGE),
                Files.readAllBytes(sandbox.insideView("/usr/share/man/man1/postmulti.postfix.1.gz")));
        assertArrayEquals(Files.readAllBytes(Path.of("postmulti.1")),
                gunzip(sandbox.insideView("/usr/share/man/man1/postmulti.1.gz")));
        assertTrue(Files.isRegularFile(sandbox.insideView("/usr/share/bash-completion/completions/postmulti")));
        assertTrue(Files.size(sandbox.insideView("/var/cache/" + PACKAGE + "/postmulti.jsa")) > 0, "CDS archive made by postinst");
        assertEquals(2, diversions().size(), String.join("\n", diversions()));
    }

    private static void assertCProgramRestored() throws IOException {
        assertArrayEquals(Files.readAllBytes(C_PROGRAM), Files.readAllBytes(sandbox.insideView("/usr/sbin/postmulti")));
        assertArrayEquals(Files.readAllBytes(C_MAN_PAGE), Files.readAllBytes(sandbox.insideView(C_MAN_PAGE.toString())));
        assertFalse(Files.exists(sandbox.insideView("/usr/sbin/postmulti.postfix")));
        assertEquals(List.of(), diversions());
        assertFalse(Files.exists(sandbox.insideView("/var/cache/" + PACKAGE)), "CDS archive left behind");
    }

    private static List<String> diversions() {
        return sandbox.run("dpkg-divert", "--list", "*postmulti*").orThrow().stdout.lines().toList();
    }

    /** The files and links the package holds, as absolute paths. */
    private static List<String> packagedPaths() {
        return Tool.exec(List.of("dpkg-deb", "-c", deb.toString()), Map.of(), null).out().lines()
                .filter(line -> !line.startsWith("d"))
                .map(line -> line.replaceFirst("^.* \\./", "/").replaceFirst(" -> .*$", ""))
                .toList();
    }

    private static void dpkg(String... args) {
        List<String> command = new ArrayList<>(List.of("dpkg"));
        command.addAll(List.of(args));
        sandbox.run(command, Map.of("DEBIAN_FRONTEND", "noninteractive"), null, Duration.ofMinutes(3)).orThrow();
    }

    private static List<Instance> reversed(List<Instance> list) {
        List<Instance> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    /** The same package under another version (unpacked and packed again), to install as an upgrade. */
    private static Path withVersion(Path package_, String version) throws IOException {
        Path tree = sandbox.root().resolve("repack");
        Tool.exec(List.of("dpkg-deb", "-R", package_.toString(), tree.toString()), Map.of(), null);
        Path control = tree.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control).replaceFirst("(?m)^Version: .*$", "Version: " + version));
        Path upgraded = sandbox.root().resolve(PACKAGE + "_" + version + "_all.deb");
        Tool.Result pack = Tool.exec(List.of("dpkg-deb", "--root-owner-group", "-b", tree.toString(), upgraded.toString()), Map.of(), null);
        assertEquals(0, pack.status(), pack.err());
        return upgraded;
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    private static boolean javaRuntimeInstalled() {
        Tool.Result query = Tool.exec(List.of("dpkg-query", "-W", "-f", "${Package} ${Status} ${Provides}\\n",
                "default-jre-headless", "openjdk-*-jre-headless"), Map.of(), null);
        return query.out().lines().anyMatch(line -> line.contains(" install ok installed")
                && (line.startsWith("default-jre-headless ") || line.contains("java17-runtime-headless")));
    }
}
