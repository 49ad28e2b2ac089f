import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Diagnostics as Postfix's msg(3) shapes them: who speaks, the level, bytes an admin's terminal
 * should not get shown as '?', and what is held back for a second pass. Also the fatal errors'
 * three speakers (postmulti, the helper script, a command it runs).
 */
class MsgTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void capture() {
        Msg.redirect(new PrintStream(err, true, StandardCharsets.ISO_8859_1));
    }

    @AfterEach
    void restore() {
        Msg.drop();
        Msg.allowUtf8(false);
        Msg.setVerbose(0);
        Msg.logTo(null);
        Msg.redirect(System.err);
    }

    private String printed() {
        return err.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void levelsAndSpeakers() {
        Msg.warn("w");
        Msg.error("e");
        Msg.fatalLine("f");
        Msg.info("i");
        Msg.raw("postmulti: invalid option -- 'z'");
        Msg.said("postfix/postmulti-script", "fatal", "s");
        Msg.commandLine("mkdir", "cannot create directory");
        Msg.postconfLine("/usr/sbin/postconf", "warning", "p");
        assertEquals("postmulti: warning: w\npostmulti: error: e\npostmulti: fatal: f\npostmulti: i\n"
                + "postmulti: invalid option -- 'z'\npostfix/postmulti-script: fatal: s\n"
                + "mkdir: cannot create directory\n/usr/sbin/postconf: warning: p\n", printed());
    }

    @Test
    void debugLinesOnlyWhenVerbose() {
        Msg.debug("quiet");
        Msg.setVerbose(1);
        assertEquals(1, Msg.verbose());
        Msg.debug("loud");
        assertEquals("postmulti: loud\n", printed());
    }

    @Test
    void printableAsciiStaysAndControlsBecomeQuestionMarks() {
        assertEquals(" ~az?", Msg.printable(" ~az\u007f", false));
        assertEquals("?a?b?", Msg.printable("\u001fa\nb\0", false));
        Msg.warn("name\nsecond line");
        assertEquals("postmulti: warning: name?second line\n", printed());
    }

    @Test
    void utf8StaysOnlyWhenAllowedAndWellFormed() {
        String eAcute = "\u00c3\u00a9";
        assertEquals("??", Msg.printable(eAcute, false));
        assertEquals(eAcute, Msg.printable(eAcute, true));
        // Lead bytes 194 to 254, continuation bytes 128 to 191, as many as follow.
        assertEquals("\u00c2\u0080\u00bf", Msg.printable("\u00c2\u0080\u00bf", true));
        assertEquals("\u00fe\u0080", Msg.printable("\u00fe\u0080", true));
        assertEquals("??", Msg.printable("\u00c1\u0080", true));
        assertEquals("??", Msg.printable("\u00ff\u0080", true));
        assertEquals("??", Msg.printable("\u00c3\u00c0", true));
        assertEquals("??", Msg.printable("\u00c3\u007f", true));
        assertEquals("a?", Msg.printable("a\u00c3", true));
        assertEquals("?a", Msg.printable("\u0080a", true));
        Msg.allowUtf8(true);
        Msg.warn(eAcute);
        Msg.postconfLine("postconf", "warning", eAcute);
        assertEquals("postmulti: warning: " + eAcute + "\npostconf: warning: ??\n", printed());
    }

    @Test
    void heldBackUntilReplayed() {
        Msg.defer();
        Msg.warn("w");
        Msg.raw("r");
        Msg.said("tag", "warning", "s");
        Msg.commandLine("cmd", "c");
        Msg.postconfLine("postconf", "warning", "p");
        Msg.info("i");
        assertEquals("", printed());
        Msg.replay();
        assertEquals("postmulti: warning: w\nr\ntag: warning: s\ncmd: c\npostconf: warning: p\npostmulti: i\n", printed());
        Msg.info("after");
        assertEquals("postmulti: after\n", printed().substring(printed().lastIndexOf("postmulti: after")));
    }

    @Test
    void heldBackAndDropped() {
        Msg.defer();
        Msg.error("forgotten");
        Msg.drop();
        Msg.replay();
        Msg.error("said");
        assertEquals("postmulti: error: said\n", printed());
    }

    @Test
    void fatalErrorsInTheirSpeakersWords() {
        Fatal.afterWarning("why", "what").report();
        Fatal.fromHelper("postfix/postmulti-script", "refused").report();
        Fatal.fromCommand("mkdir", "mkdir: cannot create directory 'x': File exists").report();
        new Fatal("plain", new IOException("cause")).report();
        assertEquals("postmulti: warning: why\npostmulti: fatal: what\npostfix/postmulti-script: fatal: refused\n"
                + "mkdir: mkdir: cannot create directory 'x': File exists\npostmulti: fatal: plain\n", printed());
    }

    @Test
    void diagnosticsAndTheHelpersWordsAreLoggedButCommandsAndInfoAreNot() throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("msg-syslog");
        try {
            Path log = work.resolve("log");
            Path postlog = work.resolve("postlog");
            TestFiles.write(postlog, "#!/bin/sh\nfor a; do printf '[%s]' \"$a\"; done >> '" + log + "'\necho >> '" + log + "'\n");
            Files.setPosixFilePermissions(postlog, PosixFilePermissions.fromString("rwx------"));
            Msg.logTo(Syslog.through(List.of(postlog.toString()), "postfix/postmulti"));
            Msg.warn("w\n");
            Msg.error("e");
            Msg.info("i");
            Msg.commandLine("mkdir", "c");
            Msg.postconfLine("postconf", "warning", "p");
            Msg.said("postfix/postmulti-script", "warning", "s");
            assertEquals("[-t][postfix/postmulti][-p][warn][--][w?]\n[-t][postfix/postmulti][-p][error][--][e]\n"
                    + "[-t][postfix/postmulti-script][-p][warn][--][s]\n", TestFiles.read(log));
        } finally {
            TestFiles.deleteTree(work);
        }
    }
}
