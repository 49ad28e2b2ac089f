import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Diagnostics copied to the mail log through {@code $command_directory/postlog}: here a fake
 * one in the test tree's command directory that writes each call's arguments, one bracketed
 * word after the other, as one line of {@code postlog.log}.
 */
class SyslogTest {
    private FixtureTree tree;

    @BeforeEach
    void tree() {
        tree = FixtureTree.initialized("");
        Path postlog = tree.root.resolve("usr/sbin/postlog");
        TestFiles.write(postlog, "#!/bin/sh\nfor a; do printf '[%s]' \"$a\"; done >> '" + log() + "'\necho >> '" + log() + "'\n");
        try {
            Files.setPosixFilePermissions(postlog, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void remove() {
        tree.close();
    }

    private Path log() {
        return tree.root.resolve("postlog.log");
    }

    /** The calls so far, waiting a little for the count expected (a fatal error's postlog is not waited for). */
    private List<String> calls(int expected) throws InterruptedException {
        for (int i = 0; i < 100 && logged().size() < expected; i++) Thread.sleep(50);
        Thread.sleep(100);
        return logged();
    }

    private List<String> logged() {
        return Files.exists(log()) ? TestFiles.read(log()).lines().toList() : List.of();
    }

    private String head() {
        return "[-c][" + tree.primary + "][-t][postfix/postmulti]";
    }

    @Test
    void aFatalErrorIsLoggedAsFatal() throws InterruptedException {
        FixtureTree.Run run = tree.run("-i", "nosuch", "-e", "enable");
        assertEquals("postmulti: fatal: No instance named nosuch\n", run.err());
        assertEquals(List.of(head() + "[-p][fatal][--][No instance named nosuch]"), calls(1));
    }

    @Test
    void skippedInstancesAreErrorsAndWarningsAreWarnings() throws IOException, InterruptedException {
        // A warning: no postfix command to run set-permissions with.
        FixtureTree.Run create = tree.withoutPostfix().run("-I", "postfix-a", "-e", "create");
        assertEquals(0, create.status(), create.err());
        String warning = "no " + tree.path("usr/sbin/postfix") + ": skipped '" + tree.path("usr/sbin/postfix") + " -c "
                + tree.etc("postfix-a") + " set-permissions'; run it before starting the instance";
        assertEquals("postmulti: warning: " + warning + "\n", create.err());
        assertEquals(List.of(head() + "[-p][warn][--][" + warning + "]"), calls(1));
        Files.delete(log());

        TestFiles.write(tree.primary.resolve("main.cf"), tree.primaryMainCf().replace(
                "multi_instance_directories = " + tree.etc("postfix-a"),
                "multi_instance_directories = " + tree.etc("postfix-a") + " " + tree.etc("postfix-gone")));
        FixtureTree.Run run = tree.run("-l");
        assertEquals(1, run.status());
        String problem = "instance " + tree.etc("postfix-gone") + " skipped: open " + tree.etc("postfix-gone")
                + "/main.cf: No such file or directory";
        assertEquals("postmulti: error: " + problem + "\n", run.err());
        assertEquals(List.of(head() + "[-p][error][--][" + problem + "]"), calls(1));

        // Life-cycle actions stop there; why is postconf's complaint on stderr, which postconf would log itself.
        tree.run("-i", "-", "-e", "enable");
        assertEquals(head() + "[-p][fatal][--][Failed to obtain all required " + tree.etc("postfix-gone") + "/main.cf parameters]",
                calls(2).get(1));
    }

    @Test
    void theHelperScriptsMessagesAreLoggedUnderItsTag() throws InterruptedException {
        TestFiles.write(tree.primary.resolve("main.cf"),
                tree.primaryMainCf().replace("multi_instance_enable = yes", "multi_instance_enable = no"));
        FixtureTree.Run run = tree.run("-I", "postfix-a", "-e", "create");
        String text = "multi_instance_enable!=yes, run 'postmulti -e init' first.";
        assertEquals("postfix/postmulti-script: fatal: " + text + "\n", run.err());
        assertEquals(List.of("[-c][" + tree.primary + "][-t][postfix/postmulti-script][-p][fatal][--][" + text + "]"), calls(1));
    }

    @Test
    void successAndInformationAreNotLogged() throws InterruptedException {
        assertEquals(0, tree.run("-l").status());
        assertEquals(0, tree.run("-n", "-I", "postfix-a", "-e", "create").status());
        assertEquals(List.of(), calls(0));
    }

    @Test
    void noSyslogTurnsItOff() throws InterruptedException {
        FixtureTree.Run run = tree.run("--no-syslog", "-i", "nosuch", "-e", "enable");
        assertEquals("postmulti: fatal: No instance named nosuch\n", run.err());
        assertEquals(List.of(), calls(0));
    }

    @Test
    void theTagFollowsSyslogName() throws InterruptedException {
        tree.appendPrimary("syslog_name = border\n");
        tree.run("-i", "nosuch", "-e", "enable");
        assertEquals(List.of("[-c][" + tree.primary + "][-t][border/postmulti][-p][fatal][--][No instance named nosuch]"),
                calls(1));
    }

    /** An empty or unusable syslog_name is fatal, and that is logged under mail_task()'s fallback, postfix. */
    @Test
    void anEmptyOrUnusableSyslogNameIsLoggedUnderPostfix() throws InterruptedException {
        tree.appendPrimary("syslog_name =\n");
        FixtureTree.Run empty = tree.run("-l");
        assertEquals("postmulti: fatal: bad string length 0 < 1: syslog_name = \n", empty.err());
        assertEquals(List.of(head() + "[-p][fatal][--][bad string length 0 < 1: syslog_name = ]"), calls(1));
        tree.appendPrimary("syslog_name = ${x\n");
        FixtureTree.Run unusable = tree.run("-l");
        assertEquals(1, unusable.status(), unusable::both);
        List<String> calls = calls(4);
        assertEquals(head() + "[-p][fatal][--][dictionary mail_dict: macro processing error]", calls.get(calls.size() - 1));
        for (String call : calls) assertTrue(call.startsWith(head()), call);
    }

    @Test
    void aPostlogThatCannotBeRunIsNotUsed() throws IOException, InterruptedException {
        Files.setPosixFilePermissions(tree.root.resolve("usr/sbin/postlog"), PosixFilePermissions.fromString("rw-r--r--"));
        FixtureTree.Run run = tree.run("-i", "nosuch", "-e", "enable");
        assertEquals("postmulti: fatal: No instance named nosuch\n", run.err());
        assertFalse(Files.exists(log()));
    }

    @Test
    void controlCharactersAreShownAsQuestionMarks() throws InterruptedException {
        FixtureTree.Run run = tree.run("-i", "a\nb\u0000c", "-e", "enable");
        assertEquals("postmulti: fatal: No instance named a?b?c\n", run.err());
        assertEquals(List.of(head() + "[-p][fatal][--][No instance named a?b?c]"), calls(1));
    }

    @Test
    void withoutPostlogNothingIsLogged() throws IOException, InterruptedException {
        Files.delete(tree.root.resolve("usr/sbin/postlog"));
        FixtureTree.Run run = tree.run("-i", "nosuch", "-e", "enable");
        assertEquals("postmulti: fatal: No instance named nosuch\n", run.err());
        assertFalse(Files.exists(log()));
    }

    @Test
    void anUnreadablePrimaryIsReportedOnStderrOnly() throws IOException, InterruptedException {
        Files.delete(tree.primary.resolve("main.cf"));
        FixtureTree.Run run = tree.run("-l");
        assertTrue(run.err().startsWith("postmulti: fatal: open " + tree.primary + "/main.cf"), run.err());
        assertEquals(List.of(), calls(0));
    }
}
