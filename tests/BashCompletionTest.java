import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * postmulti.bash in a real interactive bash with bash-completion loaded, under tmux: the test
 * types a line, presses Tab, and reads the screen, as an admin would see it. A "postmulti" on
 * the shell's PATH runs this checkout's tool, so instance and group names come from the tool.
 */
class BashCompletionTest {
    private static final String BASH_COMPLETION = "/usr/share/bash-completion/bash_completion";
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static Path work;
    private static Path example;
    private static Path offline;
    private static String socket;

    @BeforeAll
    static void shell() throws IOException, InterruptedException {
        assumeTrue(onPath("tmux"), "tmux is not installed");
        assumeTrue(onPath("bash"), "bash is not installed");
        assumeTrue(Files.isRegularFile(Path.of(BASH_COMPLETION)), "bash-completion is not installed (" + BASH_COMPLETION + ")");
        work = Files.createTempDirectory("completion");
        example = work.resolve("example");
        offline = work.resolve("offline");
        copy(Path.of("examples/border-mta"), example);
        copy(Path.of("examples/border-mta"), offline);
        Tool.Result renamed = Tool.run("--root", offline.toString(), "-i", "postfix-in", "-I", "postfix-inside", "-G", "inner", "-e", "assign");
        assertEquals(0, renamed.status(), renamed.both());

        Path bin = Files.createDirectories(work.resolve("bin"));
        Path postmulti = bin.resolve("postmulti");
        Files.writeString(postmulti, "#!/bin/sh\nexec " + Tool.command().stream().map(Pty::quote).collect(Collectors.joining(" "))
                + " \"$@\"\n");
        Files.setPosixFilePermissions(postmulti, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path rc = work.resolve("bashrc");
        Files.writeString(rc, ". " + BASH_COMPLETION + "\n. " + Pty.quote(Path.of("postmulti.bash").toAbsolutePath().toString())
                + "\nPATH=" + Pty.quote(bin.toString()) + ":$PATH\nPS1='$ '\ncd " + Pty.quote(work.toString()) + "\n");
        socket = work.resolve("tmux").toString();
        tmux("new-session", "-d", "-x", "200", "-y", "50", "env", "-i", "PATH=/bin:/usr/bin:/sbin:/usr/sbin", "TERM=screen",
                "bash", "--noprofile", "--rcfile", rc.toString(), "-i");
        awaitScreen(screen -> screen.startsWith("$"), "the prompt of the shell that read " + rc);
    }

    @AfterAll
    static void close() {
        if (socket != null) Tool.exec(List.of("tmux", "-S", socket, "kill-server"), Map.of(), null);
        if (work != null) Tool.exec(List.of("rm", "-rf", work.toString()), Map.of(), null);
    }

    @BeforeEach
    void freshLine() throws InterruptedException {
        tmux("send-keys", "C-c");
        tmux("send-keys", "clear", "Enter");
        awaitScreen(screen -> screen.strip().equals("$"), "an empty screen");
    }

    @Test
    void actionsAfterE() throws InterruptedException {
        type("postmulti -e \t\t");
        String screen = awaitScreen(s -> s.contains("create") && s.contains("destroy"), "the actions offered");
        assertFalse(screen.contains("bashrc"), "no file names offered for -e's value:\n" + screen);
        tmux("send-keys", "C-u");
        type("postmulti -e cr\t");
        awaitLine("$ postmulti -e create", "-e cr completed to create");
    }

    @Test
    void optionsAfterADash() throws InterruptedException {
        type("postmulti --ro\t");
        awaitLine("$ postmulti --root", "--ro completed to --root");
    }

    @Test
    void instanceNamesAfterIForTheLinesPrimary() throws InterruptedException {
        type("postmulti -c example/etc/postfix -i \t\t");
        String screen = awaitScreen(s -> s.contains("postfix-out") && s.contains("postfix-in"), "the example's instances");
        assertTrue(screen.lines().anyMatch(line -> line.matches("-\\s+postfix-in\\s+postfix-out\\s*")), screen);
        type("postfix-o\t");
        awaitLine("$ postmulti -c example/etc/postfix -i postfix-out", "-i postfix-o completed");
    }

    @Test
    void instanceNamesUnderRoot() throws InterruptedException {
        type("postmulti --root offline -i postfix-ins\t");
        awaitLine("$ postmulti --root offline -i postfix-inside", "the tree's renamed instance");
    }

    @Test
    void groupNamesAfterGAndG() throws InterruptedException {
        type("postmulti -c example/etc/postfix -g \t");
        awaitLine("$ postmulti -c example/etc/postfix -g mta", "the only group completed");
        type("-I postfix-new -e create -G \t\t");
        awaitScreen(s -> s.lines().anyMatch(line -> line.matches("-\\s+mta\\s*")), "'-' and the group offered after -G");
    }

    @Test
    void quietWhenTheListFails() throws InterruptedException {
        type("postmulti -c /nowhere -i \t");
        String screen = awaitLine("$ postmulti -c /nowhere -i -", "only '-' offered");
        assertFalse(screen.contains("fatal"), screen);
    }

    @Test
    void directoriesAfterCAndRoot() throws InterruptedException {
        type("postmulti -c example/etc/postfix-o\t");
        awaitLine("$ postmulti -c example/etc/postfix-out/", "a directory after -c");
        tmux("send-keys", "C-u");
        type("postmulti --root off\t");
        awaitLine("$ postmulti --root offline/", "a directory after --root");
    }

    @Test
    void fileNamesForTheCommandOfX() throws InterruptedException {
        type("postmulti -x cat bash\t");
        awaitLine("$ postmulti -x cat bashrc", "file names in the command of -x");
    }

    // ----------------------------------------------------------------- tmux

    private static void type(String keys) {
        tmux("send-keys", "-l", "--", keys);
    }

    private static String screen() {
        return tmux("capture-pane", "-p").out();
    }

    /** capture-pane drops trailing blanks, so a completed word's space does not show. */
    private static String awaitLine(String line, String what) throws InterruptedException {
        return awaitScreen(screen -> screen.lines().anyMatch(line::equals), what);
    }

    private static String awaitScreen(Predicate<String> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String screen = screen();
        while (!wanted.test(screen)) {
            if (System.nanoTime() > deadline) throw new AssertionError("screen never showed " + what + ":\n" + screen);
            Thread.sleep(100);
            screen = screen();
        }
        return screen;
    }

    private static Tool.Result tmux(String... args) {
        List<String> command = new ArrayList<>(List.of("tmux", "-S", socket, "-f", "/dev/null"));
        command.addAll(List.of(args));
        Tool.Result result = Tool.exec(command, Map.of(), null);
        assertEquals(0, result.status(), String.join(" ", command) + ": " + result.both());
        return result;
    }

    private static void copy(Path from, Path to) {
        Tool.Result copied = Tool.exec(List.of("cp", "-a", from.toString(), to.toString()), Map.of(), null);
        assertEquals(0, copied.status(), copied.both());
    }

    private static boolean onPath(String program) {
        return Tool.exec(List.of("sh", "-c", "command -v " + program), Map.of(), null).status() == 0;
    }
}
