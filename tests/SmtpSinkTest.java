import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The smtp-sink wrapper of the e2e suite: dump parsing, and the real binary on a loopback port. */
class SmtpSinkTest {

    static final String DUMP = String.join("\n",
        "X-Client-Addr: 127.0.0.1",
        "X-Client-Proto: ESMTP",
        "X-Helo-Args: mta1-out.example.com",
        "X-Mail-Args: <sender@example.net> SIZE=1234",
        "X-Rcpt-Args: <rcpt@example.com> ORCPT=rfc822;rcpt@example.com",
        "X-Rcpt-Args: <second@example.com>",
        "Received: from mta1-out.example.com ([127.0.0.1])",
        "\tby mailhub.example.com (smtp-sink) with ESMTP id 0a75351b;",
        "\tWed, 25 Nov 2026 04:18:16 +0000 (UTC)",
        "X-Content-Filter: postmulti-e2e",
        "Message-ID: <1093.000d.00ad@client.example.net>",
        "Subject: folded",
        "  subject",
        "",
        "body line",
        "",
        "");

    @Test
    void parsesSmtpSinkDumpFiles() {
        SmtpSink.Message m = SmtpSink.parse(Paths.get("x"), DUMP);
        assertEquals("<1093.000d.00ad@client.example.net>", m.messageId(), "case-insensitive Message-Id");
        assertEquals("sender@example.net", m.envelopeSender());
        assertEquals(List.of("rcpt@example.com", "second@example.com"), m.envelopeRecipients());
        assertEquals("folded subject", m.header("subject"));
        assertEquals("postmulti-e2e", m.header("X-Content-Filter"));
        assertTrue(m.header("Received").startsWith("from mta1-out.example.com ([127.0.0.1]) by mailhub.example.com"));
        assertTrue(m.body.startsWith("body line"));
    }

    @Test
    void realSmtpSinkCapturesCompletedTransactionsOnly() throws Exception {
        assumeTrue(Files.isExecutable(Paths.get("/usr/sbin/smtp-sink")), "smtp-sink not installed (apt-get install postfix)");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("pm-e2e-sink-");
        // smtp-sink drops to the postfix user when started as root: it must reach the dump directory
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try (SmtpSink sink = SmtpSink.startOnHost("127.0.0.1", port, dir.resolve("hub"))) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                reply(in);
                for (String[] msg : new String[][] {{"<a@x>", "a"}, {"<b@x>", "b"}, {"<a@x>", "a again"}}) {
                    cmd(out, in, "HELO client.example");
                    cmd(out, in, "MAIL FROM:<s@example.com>");
                    cmd(out, in, "RCPT TO:<r@example.com>");
                    cmd(out, in, "DATA");
                    out.write(("Message-Id: " + msg[0] + "\r\nSubject: " + msg[1] + "\r\n\r\n..stuffed\r\n.\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                    assertTrue(reply(in).startsWith("250"));
                }
                cmd(out, in, "MAIL FROM:<s@example.com>");
                cmd(out, in, "RCPT TO:<r@example.com>");
                cmd(out, in, "RSET"); // aborted: no file
                cmd(out, in, "QUIT");
            }
            assertEquals(3, sink.awaitMessages(3, Duration.ofSeconds(10), Duration.ofMillis(300)));
            assertEquals(Map.of("<a@x>", 2, "<b@x>", 1), sink.messageIdCounts());
            assertEquals(Map.of("<a@x>", 2), sink.duplicates());
            assertTrue(sink.messages().get(0).body.startsWith(".stuffed"), "smtp-sink unstuffs the dot");
            sink.clear();
            assertEquals(0, sink.fileCount());
        } finally {
            SandboxedPostfix.deleteRecursively(dir);
        }
    }

    static String cmd(OutputStream out, BufferedReader in, String line) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply(in);
    }

    static String reply(BufferedReader in) throws Exception {
        String l;
        do {
            l = in.readLine();
        } while (l != null && l.length() > 3 && l.charAt(3) == '-');
        return l;
    }
}
