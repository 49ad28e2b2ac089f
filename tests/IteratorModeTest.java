import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * -p and -x on a fixture whose command_directory holds a stub postfix that records each call:
 * which instance (MAIL_CONFIG), which arguments, in which order, with which exit status. In this JVM
 * (so mutation testing sees it), but for stdin, the terminal and the comparison with the real postmulti.
 */
class IteratorModeTest {
    private Fixture fixture;
    private Path log;
    private Path bin;

    @BeforeEach
    void tree() throws IOException {
        fixture = Fixture.create("");
        bin = fixture.mkdirs("stub-bin");
        log = fixture.root.resolve("calls.log");
        stub("postfix", "#!/bin/sh\necho \"$MAIL_CONFIG $*\" >> '" + log + "'\n"
                + "case \"$MAIL_CONFIG\" in *\"$FAIL_FOR\") [ -n \"$FAIL_FOR\" ] && exit 3;; esac\nexit 0\n");
        fixture.secondary("postfix-a", "postfix-a", "g", true);
        fixture.secondary("postfix-b", "postfix-b", "g", false);
        fixture.secondary("postfix-c", "postfix-c", null, true);
        fixture.writePrimary("command_directory = " + bin + "\nmulti_instance_enable = yes\n"
                + "multi_instance_directories = " + dir("postfix-a") + " " + dir("postfix-b") + " " + dir("postfix-c") + "\n");
    }

    @AfterEach
    void removeTree() {
        fixture.close();
    }

    @Test
    void startChecksDisabledInstancesInsteadOfStartingThem() {
        assertEquals(0, run("-p", "start").status());
        assertCalls(fixture.primary + " -- start", dir("postfix-a") + " -- start",
                dir("postfix-b") + " -- check", dir("postfix-c") + " -- start");
    }

    @Test
    void stopRunsInReverseAndSkipsDisabledInstances() {
        assertEquals(0, run("-p", "stop").status());
        assertCalls(dir("postfix-c") + " -- stop", dir("postfix-a") + " -- stop", fixture.primary + " -- stop");
    }

    @Test
    void controlCommandsSkipDisabledInstances() {
        assertEquals(0, run("-p", "reload").status());
        assertCalls(fixture.primary + " -- reload", dir("postfix-a") + " -- reload", dir("postfix-c") + " -- reload");
    }

    @Test
    void otherCommandsRunEverywhereWithTheirArguments() {
        assertEquals(0, run("-g", "g", "-p", "status", "-v", "x y").status());
        assertCalls(dir("postfix-a") + " -- status -v x y", dir("postfix-b") + " -- status -v x y");
    }

    @Test
    void commandListsComeFromThePrimaryMainCf() {
        fixture.writePrimary("command_directory = " + bin + "\nmulti_instance_enable = yes\n"
                + "multi_instance_directories = " + dir("postfix-a") + ", " + dir("postfix-b") + "\n"
                + "postmulti_start_commands = start, warm\npostmulti_stop_commands = halt\npostmulti_control_commands =\n");
        assertEquals(0, run("-p", "warm").status());
        assertEquals(0, run("-p", "halt").status());
        assertEquals(0, run("-p", "reload").status());
        assertCalls(fixture.primary + " -- warm", dir("postfix-a") + " -- warm", dir("postfix-b") + " -- check",
                dir("postfix-a") + " -- halt", fixture.primary + " -- halt",
                fixture.primary + " -- reload", dir("postfix-a") + " -- reload", dir("postfix-b") + " -- reload");
    }

    @Test
    void anyFailureMakesTheStatusOneButEveryInstanceStillRuns() {
        FixtureTree.Run result = InProcess.run(Map.of("FAIL_FOR", "postfix-a"), Tool.withConfigDirectory(fixture.primary, "-p", "status"));
        assertEquals(1, result.status());
        assertCalls(fixture.primary + " -- status", dir("postfix-a") + " -- status",
                dir("postfix-b") + " -- status", dir("postfix-c") + " -- status");
    }

    @Test
    void noMatchingInstances() {
        Tool.Result result = run("-i", "nosuch", "-p", "status");
        assertEquals(1, result.status());
        assertEquals("postmulti: fatal: No matching instances\n", result.err());
        Tool.Result disabledOnly = run("-i", "b", "-p", "reload");
        assertEquals("postmulti: fatal: No matching instances\n", disabledOnly.err());
        assertCalls();
    }

    @Test
    void commandModeExportsTheInstanceEnvironment() {
        Tool.Result result = run("-x", "sh", "-c", "echo \"$MAIL_CONFIG|$config_directory|$queue_directory|$data_directory"
                + "|$multi_instance_name|$multi_instance_group|$multi_instance_enable|$command_directory|${PATH%%:*}\"" + toLog());
        assertEquals(0, result.status(), result.err());
        assertLog(String.join("\n",
                envLine(fixture.primary.toString(), "var/spool/postfix", "var/lib/postfix", "", "", "yes"),
                envLine(dir("postfix-a"), "var/spool/postfix-a", "var/lib/postfix-a", "postfix-a", "g", "yes"),
                envLine(dir("postfix-b"), "var/spool/postfix-b", "var/lib/postfix-b", "postfix-b", "g", "no"),
                envLine(dir("postfix-c"), "var/spool/postfix-c", "var/lib/postfix-c", "postfix-c", "", "yes")) + "\n");
    }

    @Test
    void commandModeReversesWithR() {
        assertEquals(0, run("-R", "-x", "sh", "-c", "echo $MAIL_CONFIG" + toLog()).status());
        assertLog(String.join("\n", dir("postfix-c"), dir("postfix-b"), dir("postfix-a"), fixture.primary.toString()) + "\n");
    }

    /** $command_directory goes before the caller's PATH, or before Postfix's default for root when the caller has none. */
    @Test
    void commandModePutsTheCommandDirectoryBeforeThePath() {
        InProcess.run(Map.of("PATH", "/usr/bin:/bin"), Tool.withConfigDirectory(fixture.primary, "-i", "-", "-x", "sh", "-c",
                "echo \"$PATH\"" + toLog()));
        InProcess.run(Map.of("PATH", ""), Tool.withConfigDirectory(fixture.primary, "-i", "-", "-x", "sh", "-c",
                "echo \"$PATH\"" + toLog()));
        assertLog(bin + ":/usr/bin:/bin\n" + bin + ":/bin:/usr/bin:/sbin:/usr/sbin\n");
    }

    @Test
    void theCommandWordIsFoundOnTheChildsPathWithCommandDirectoryFirst() throws IOException {
        stub("only-in-command-directory", "#!/bin/sh\necho found \"$1\"" + toLog() + "\n");
        Tool.Result result = run("-i", "-", "-x", "only-in-command-directory", "it");
        assertEquals(0, result.status(), result.err());
        assertLog("found it\n");
    }

    @Test
    void aMissingCommandFailsEachInstance() {
        Tool.Result result = run("-i", "a", "-x", "no-such-command-anywhere");
        assertEquals(1, result.status());
        assertEquals("postmulti: fatal: execvp no-such-command-anywhere: No such file or directory\n", result.err());
    }

    @Test
    void verboseExportsMailVerbose() {
        run("-v", "-i", "-", "-x", "sh", "-c", "echo ${MAIL_VERBOSE+set}" + toLog());
        run("-i", "-", "-x", "sh", "-c", "echo ${MAIL_VERBOSE-unset}" + toLog());
        assertLog("set\nunset\n");
    }

    @Test
    void stdinReachesTheChild() {
        Tool.Result result = Tool.run(Map.of(), "hi\n", "-c", fixture.primary.toString(), "-i", "-", "-x", "cat");
        assertEquals(0, result.status(), result.err());
        assertEquals("hi\n", result.out());
    }

    @Test
    void theTerminalReachesTheChild() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1) not installed");
        List<String> command = Tool.command("-c", fixture.primary.toString(), "-i", "-", "-x", "sh", "-c", "test -t 0 && test -t 1");
        Tool.Result tty = Tool.exec(List.of("script", "-qec", RealPostmulti.quoteAll(command), "/dev/null"), Map.of(), null);
        assertEquals(0, tty.status(), tty.out());
        assertEquals(1, Tool.exec(command, Map.of(), null).status());
    }

    @Test
    void commandModeMatchesTheRealPostmulti() {
        assumeTrue(RealPostmulti.unavailableReason() == null, String.valueOf(RealPostmulti.unavailableReason()));
        Fixture real = Fixture.create("");
        try {
            real.secondary("postfix-a", "postfix-a", "g", true);
            real.secondary("postfix-b", null, null, false);
            real.writePrimary("multi_instance_enable = yes\nmulti_instance_directories = "
                    + real.root.resolve("etc/postfix-a") + " " + real.root.resolve("etc/postfix-b") + "\n");
            String[] args = {"-R", "-x", "sh", "-c", "echo \"$MAIL_CONFIG|$config_directory|$queue_directory|$data_directory"
                    + "|$multi_instance_name|$multi_instance_group|$multi_instance_enable|$command_directory|$daemon_directory"
                    + "|${PATH%%:*}|${MAIL_VERBOSE-unset}\"; exit 2"};
            Tool.Result ours = real.ours(args);
            Tool.Result theirs = real.real(args);
            assertEquals(theirs.status(), ours.status());
            assertEquals(theirs.out(), ours.out().replace(real.primary.toString() + "|", "/etc/postfix|"));
            assertEquals(theirs.err(), ours.err());
        } finally {
            real.close();
        }
    }

    private String envLine(String config, String queue, String data, String name, String group, String enable) {
        return String.join("|", config, config, fixture.root.resolve(queue).toString(), fixture.root.resolve(data).toString(),
                name, group, enable, bin.toString(), bin.toString());
    }

    /** Our tool in this JVM (where mutation testing sees it); its children write to the log, since they share the runner's stdout. */
    private Tool.Result run(String... args) {
        return fixture.inProcess(args);
    }

    private String toLog() {
        return " >> '" + log + "'";
    }

    private void assertLog(String expected) {
        assertEquals(expected, Files.exists(log) ? TestFiles.read(log) : "");
    }

    private void stub(String name, String script) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private String dir(String name) {
        return fixture.root.resolve("etc").resolve(name).toString();
    }

    private void assertCalls(String... expected) {
        String calls = Files.exists(log) ? TestFiles.read(log) : "";
        assertEquals(expected.length == 0 ? "" : String.join("\n", expected) + "\n", calls);
    }
}
