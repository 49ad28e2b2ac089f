import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The e2e content-filter proxy (tests/support/ContentFilterProxy.java) against a
 * tiny in-test SMTP server on loopback: transparency, XFORWARD, several
 * transactions per session, dot-stuffing, pipelining, failures.
 */
class ContentFilterProxyTest {

    /** A minimal recording SMTP server (the re-injection side). */
    static final class TinyServer implements AutoCloseable {
        final ServerSocket server;
        final boolean offerXforward;
        final List<String> commands = new CopyOnWriteArrayList<>();
        /** Each accepted message: the raw content lines as they came over the wire (still dot-stuffed). */
        final List<List<String>> messages = new CopyOnWriteArrayList<>();
        final List<String> sessionEnds = new CopyOnWriteArrayList<>();
        final Thread acceptor;

        TinyServer(boolean offerXforward) throws IOException {
            this.offerXforward = offerXforward;
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread t = new Thread(() -> session(s));
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        void session(Socket s) {
            try (s) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                send(out, "220 tiny.example ESMTP");
                String line;
                while ((line = in.readLine()) != null) {
                    commands.add(line);
                    String verb = line.split(" ", 2)[0].toUpperCase();
                    switch (verb) {
                        case "EHLO":
                            send(out, "250-tiny.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-CHUNKING\r\n"
                                + (offerXforward ? "250-XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT\r\n" : "")
                                + "250-DSN\r\n250 8BITMIME");
                            break;
                        case "DATA":
                            send(out, "354 End data with <CR><LF>.<CR><LF>");
                            List<String> msg = new ArrayList<>();
                            String l;
                            while ((l = in.readLine()) != null && !l.equals(".")) msg.add(l);
                            if (l == null) { sessionEnds.add("eof-in-data"); return; }
                            messages.add(msg);
                            send(out, "250 2.0.0 Ok: queued as M" + messages.size());
                            break;
                        case "QUIT":
                            send(out, "221 2.0.0 Bye");
                            sessionEnds.add("quit");
                            return;
                        case "XFORWARD":
                            send(out, offerXforward ? "250 2.0.0 Ok" : "502 5.5.2 Error: command not recognized");
                            break;
                        default:
                            send(out, "250 2.0.0 Ok");
                    }
                }
                sessionEnds.add("eof");
            } catch (IOException e) {
                sessionEnds.add("error " + e);
            }
        }

        static void send(OutputStream out, String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** A line-oriented SMTP client that sees replies exactly as sent. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            out = socket.getOutputStream();
        }

        /** Reads one (multi-line) reply; lines joined with \n. */
        String reply() throws IOException {
            StringBuilder sb = new StringBuilder();
            String l;
            do {
                l = in.readLine();
                if (l == null) return sb.length() == 0 ? null : sb.toString();
                if (sb.length() > 0) sb.append('\n');
                sb.append(l);
            } while (l.length() >= 4 && l.charAt(3) == '-');
            return sb.toString();
        }

        void write(String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        String cmd(String line) throws IOException {
            write(line + "\r\n");
            return reply();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) c.close();
    }

    TinyServer server(boolean xforward) throws IOException {
        TinyServer s = new TinyServer(xforward);
        toClose.add(s);
        return s;
    }

    ContentFilterProxy proxy(InetSocketAddress downstream) throws IOException {
        ContentFilterProxy p = new ContentFilterProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), downstream)
            .start();
        toClose.add(p);
        return p;
    }

    @Test
    void relaysSeveralTransactionsPerSessionWithXforwardAndDotStuffing() throws Exception {
        TinyServer down = server(true);
        ContentFilterProxy proxy = proxy(down.address());
        try (Client c = new Client(proxy.port())) {
            assertEquals("220 tiny.example ESMTP", c.reply(), "the downstream greeting is relayed");
            String ehlo = c.cmd("EHLO postfix-in.example");
            assertTrue(ehlo.contains("XFORWARD NAME ADDR"), ehlo);
            assertTrue(ehlo.contains("250-DSN") && ehlo.endsWith("250 8BITMIME"), ehlo);
            assertFalse(ehlo.contains("CHUNKING"), "BDAT cannot pass a line relay: " + ehlo);
            assertEquals("250 2.0.0 Ok", c.cmd("XFORWARD NAME=client.example ADDR=192.0.2.1 PROTO=ESMTP"));
            assertEquals("250 2.0.0 Ok", c.cmd("MAIL FROM:<a@example.com> BODY=8BITMIME"));
            assertEquals("250 2.0.0 Ok", c.cmd("RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.com"));
            assertTrue(c.cmd("DATA").startsWith("354"));
            c.write("Message-Id: <one@example>\r\nSubject: one\r\n\r\nbody\r\n..leading dot, stuffed\r\n...\r\n.\r\n");
            assertEquals("250 2.0.0 Ok: queued as M1", c.reply());
            // second transaction, aborted with RSET
            assertEquals("250 2.0.0 Ok", c.cmd("MAIL FROM:<x@example.com>"));
            assertEquals("250 2.0.0 Ok", c.cmd("RSET"));
            // third transaction, completed
            assertEquals("250 2.0.0 Ok", c.cmd("MAIL FROM:<c@example.com>"));
            assertEquals("250 2.0.0 Ok", c.cmd("RCPT TO:<d@example.com>"));
            assertTrue(c.cmd("DATA").startsWith("354"));
            c.write("Message-Id: <two@example>\r\n\r\nsecond\r\n.\r\n");
            assertEquals("250 2.0.0 Ok: queued as M2", c.reply());
            assertEquals("221 2.0.0 Bye", c.cmd("QUIT"));
            assertEquals(null, c.reply(), "the proxy closes after QUIT");
        }
        assertEquals(2, down.messages.size());
        assertEquals(List.of(ContentFilterProxy.DEFAULT_HEADER, "Message-Id: <one@example>", "Subject: one", "",
            "body", "..leading dot, stuffed", "..."), down.messages.get(0), "content relayed as is, still stuffed");
        assertEquals(List.of(ContentFilterProxy.DEFAULT_HEADER, "Message-Id: <two@example>", "", "second"),
            down.messages.get(1));
        assertEquals(List.of("EHLO postfix-in.example", "XFORWARD NAME=client.example ADDR=192.0.2.1 PROTO=ESMTP",
            "MAIL FROM:<a@example.com> BODY=8BITMIME", "RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.com",
            "DATA", "MAIL FROM:<x@example.com>", "RSET", "MAIL FROM:<c@example.com>", "RCPT TO:<d@example.com>", "DATA", "QUIT"),
            down.commands, "commands verbatim, in order");
        awaitTrue(() -> down.sessionEnds.contains("quit"));
        assertEquals(2, proxy.messagesRelayed());
        assertEquals(1, proxy.sessions());
    }

    @Test
    void noXforwardWhenTheDownstreamDoesNotOfferIt() throws Exception {
        TinyServer down = server(false);
        ContentFilterProxy proxy = proxy(down.address());
        try (Client c = new Client(proxy.port())) {
            c.reply();
            String ehlo = c.cmd("EHLO x");
            assertFalse(ehlo.contains("XFORWARD"), ehlo);
            assertTrue(c.cmd("XFORWARD NAME=x").startsWith("502"), "the downstream's refusal is relayed");
            c.cmd("QUIT");
        }
    }

    @Test
    void aPipelinedClientGetsOneReplyPerCommandInOrder() throws Exception {
        TinyServer down = server(true);
        ContentFilterProxy proxy = proxy(down.address());
        try (Client c = new Client(proxy.port())) {
            c.reply();
            c.cmd("EHLO x");
            c.write("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n");
            assertEquals("250 2.0.0 Ok", c.reply());
            assertEquals("250 2.0.0 Ok", c.reply());
            assertEquals("250 2.0.0 Ok", c.reply());
            assertTrue(c.reply().startsWith("354"));
            c.write("Subject: p\r\n\r\nx\r\n.\r\nQUIT\r\n");
            assertEquals("250 2.0.0 Ok: queued as M1", c.reply());
            assertEquals("221 2.0.0 Bye", c.reply());
        }
        assertEquals(1, down.messages.size());
    }

    @Test
    void clientVanishingInsideDataAbortsTheMessageDownstream() throws Exception {
        TinyServer down = server(true);
        ContentFilterProxy proxy = proxy(down.address());
        try (Client c = new Client(proxy.port())) {
            c.reply();
            c.cmd("EHLO x");
            c.cmd("MAIL FROM:<a@example.com>");
            c.cmd("RCPT TO:<b@example.com>");
            assertTrue(c.cmd("DATA").startsWith("354"));
            c.write("Subject: half\r\n\r\nhalf a message\r\n");
        }
        awaitTrue(() -> down.sessionEnds.contains("eof-in-data"));
        assertEquals(0, down.messages.size(), "no partial message delivered");
        assertEquals(0, proxy.messagesRelayed());
    }

    @Test
    void downstreamUnavailableGivesA421Greeting() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        ContentFilterProxy proxy = proxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), deadPort));
        try (Client c = new Client(proxy.port())) {
            String greeting = c.reply();
            assertTrue(greeting.startsWith("421 4.4.1"), greeting);
            assertEquals(null, c.reply(), "and the connection is closed");
        }
        assertEquals(1, proxy.downstreamFailures());
    }

    @Test
    void withoutHeaderTheMessageIsRelayedUnchanged() throws Exception {
        TinyServer down = server(true);
        ContentFilterProxy proxy = new ContentFilterProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            down.address(), null, Set.of("CHUNKING"), null).start();
        toClose.add(proxy);
        try (Client c = new Client(proxy.port())) {
            c.reply();
            c.cmd("EHLO x");
            c.cmd("MAIL FROM:<a@example.com>");
            c.cmd("RCPT TO:<b@example.com>");
            c.cmd("DATA");
            c.write("Subject: s\r\n\r\nbody\r\n.\r\n");
            c.reply();
            c.cmd("QUIT");
        }
        assertEquals(List.of("Subject: s", "", "body"), down.messages.get(0));
    }

    @Test
    void manyConcurrentSessionsLoseNothing() throws Exception {
        TinyServer down = server(true);
        ContentFilterProxy proxy = proxy(down.address());
        int sessions = 16;
        int perSession = 25;
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                int sid = s;
                futures.add(pool.submit(() -> {
                    try (Client c = new Client(proxy.port())) {
                        c.reply();
                        c.cmd("EHLO x");
                        for (int m = 0; m < perSession; m++) {
                            c.cmd("MAIL FROM:<a@example.com>");
                            c.cmd("RCPT TO:<b@example.com>");
                            c.cmd("DATA");
                            c.write("Message-Id: <" + sid + "." + m + "@example>\r\n\r\nbody\r\n.\r\n");
                            String r = c.reply();
                            if (!r.startsWith("250")) throw new AssertionError(r);
                        }
                        c.cmd("QUIT");
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(sessions * perSession, down.messages.size());
        assertEquals(sessions * perSession, down.messages.stream().map(m -> m.get(1)).distinct().count());
        assertEquals(sessions * perSession, proxy.messagesRelayed());
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 5 s");
            Thread.sleep(10);
        }
    }
}
