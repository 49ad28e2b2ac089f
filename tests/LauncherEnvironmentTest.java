import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each launcher ({@code ./jbang postmulti.java} and the one tools/export.sh writes) in the
 * environments its real callers give it: postfix(1) runs multi_instance_wrapper with no HOME and
 * PATH=/bin:/usr/bin:/sbin:/usr/sbin, systemd runs a root service with no HOME, no terminal and
 * stdin on /dev/null; init scripts and cron may run it from / with LANG unset, C or umask 077.
 * In every one, {@code -l} prints the list, and a command run by {@code -x} sees the caller's
 * environment (no HOME added) with umask 022.
 */
class LauncherEnvironmentTest {
    static final String POSTFIX_PATH = "PATH=/bin:/usr/bin:/sbin:/usr/sbin";
    private static Fixture fixture;
    private static Path exported;

    /** A caller's environment, as a shell prefix (before the launcher) and redirections (after it). */
    record Caller(String name, String prefix, String redirections) {
        boolean stdoutClosed() {
            return List.of(redirections.split(" ")).contains(">&-");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Caller> CALLERS = List.of(
            new Caller("postfix(1): no HOME, postfix's PATH", "env -i " + POSTFIX_PATH, ""),
            new Caller("LANG=C", "env -i " + POSTFIX_PATH + " LANG=C", ""),
            new Caller("no terminal (own session)", "setsid -w", ""),
            new Caller("stdin closed", "", "<&-"),
            new Caller("stdout closed", "", ">&-"),
            new Caller("stderr closed", "", "2>&-"),
            new Caller("cwd /", "cd / &&", ""),
            new Caller("umask 077", "umask 077 &&", ""),
            new Caller("systemd: all of them", "cd / && umask 077 && exec setsid -w env -i " + POSTFIX_PATH + " LANG=C",
                    "<&- 2>&-"));

    @BeforeAll
    static void launchers() {
        assumeTrue(Files.isExecutable(Path.of("jbang")), "run from the project directory (./jbang not found)");
        fixture = Fixture.create("");
        try {
            exported = Files.createTempDirectory("postmulti-export");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Tool.Result export = Tool.exec(List.of("tools/export.sh", exported.toString()), Map.of(), null);
        assertEquals(0, export.status(), export.err());
    }

    @AfterAll
    static void cleanUp() {
        if (fixture != null) fixture.close();
        if (exported != null) SandboxedPostfix.deleteRecursively(exported);
    }

    static Stream<Arguments> launchersAndCallers() {
        List<Arguments> all = new ArrayList<>();
        for (String launcher : List.of("./jbang", "exported")) {
            for (Caller caller : CALLERS) all.add(Arguments.of(launcher, caller));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("launchersAndCallers")
    void listsTheInstances(String launcher, Caller caller) {
        Tool.Result ours = launch(launcher, caller, "-l");
        assertEquals(0, ours.status(), ours.err());
        assertEquals("", ours.err());
        if (!caller.stdoutClosed()) assertEquals(expected("-l").out(), ours.out());
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("launchersAndCallers")
    void commandsSeeTheCallersEnvironmentWithPostfixsUmask(String launcher, Caller caller) {
        assumeTrue(!caller.stdoutClosed(), "the command's output is what is checked");
        String script = "umask; echo \"HOME=${HOME-unset} JBANG=$(env | grep -c '^JBANG_')\"";
        Tool.Result ours = launch(launcher, caller, "-i", "-", "-x", "sh", "-c", script);
        assertEquals(0, ours.status(), ours.err());
        String home = caller.prefix().contains("env -i") ? "unset" : System.getenv().getOrDefault("HOME", "unset");
        assertEquals("0022\nHOME=" + home + " JBANG=0\n", ours.out());
    }

    private static Tool.Result expected(String... args) {
        return Tool.run(Tool.withConfigDirectory(fixture.primary, args));
    }

    /** The launcher, by absolute path (a caller may be in /), with the fixture as primary. */
    private static Tool.Result launch(String launcher, Caller caller, String... args) {
        List<String> words = new ArrayList<>(launcher.equals("./jbang")
                ? List.of(Path.of("jbang").toAbsolutePath().toString(), Path.of("postmulti.java").toAbsolutePath().toString())
                : List.of(exported.resolve("postmulti").toString()));
        words.addAll(List.of("--no-syslog", "-c", fixture.primary.toString()));
        words.addAll(List.of(args));
        String line = caller.prefix() + " " + RealPostmulti.quoteAll(words) + " " + caller.redirections();
        return Tool.exec(List.of("sh", "-c", line), Map.of(), null);
    }
}
