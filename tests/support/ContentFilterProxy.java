import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The after-queue content filter of the border-MTA walkthrough
 * (MULTI_INSTANCE_README): an SMTP proxy that listens on a loopback port
 * (127.0.0.1:10025 in the walkthrough) and re-injects every message into the
 * post-filter instance (127.0.0.1:10026).
 *
 * <p>Design: one platform thread per client connection. On accept the proxy
 * opens its own connection downstream and relays the downstream greeting, so
 * when the output instance is down the input instance sees
 * {@code 421 4.4.1 ...} and defers (that is what the fault test relies on).
 * After that, each client command line is forwarded verbatim and exactly one
 * downstream reply (single or multi-line) is relayed back, so a pipelining
 * client (Postfix's smtp(8) sends MAIL/RCPT/DATA in one go) still works. In
 * the DATA phase the message lines are relayed byte for byte (dot-stuffing is
 * left untouched: a stuffed line arrives stuffed and leaves stuffed) until
 * the lone "." line; optionally one header line is written in front of the
 * message to prove the path. Any number of transactions per session (RSET,
 * MAIL/RCPT/DATA repeated) work because nothing is per-session state except
 * the two sockets. XFORWARD, DSN (NOTIFY/ORCPT/RET/ENVID) and 8BITMIME pass
 * through untouched: the proxy announces whatever the downstream announces
 * in its EHLO reply, minus the extensions a line-oriented relay cannot carry
 * (CHUNKING/BDAT, STARTTLS by default).
 *
 * <p>This file is self-contained (JDK only) so it can also run as its own
 * process, which is how the end-to-end suite starts it inside the sandbox's
 * network namespace:
 * <pre>
 *   java ContentFilterProxy.java --listen 127.0.0.1:10025 --downstream 127.0.0.1:10026 \
 *        [--header 'X-Content-Filter: postmulti-e2e'] [--no-header] [--ready-file F] [--verbose]
 * </pre>
 * With {@code --ready-file} the file is written (containing the bound port)
 * once the listener is bound; the process exits on SIGTERM, closing its
 * listener and every open session.
 */
public final class ContentFilterProxy implements Closeable {

    /** Header written in front of every relayed message unless disabled. */
    public static final String DEFAULT_HEADER = "X-Content-Filter: postmulti-e2e";

    private static final int MAX_LINE = 1 << 20; // a line longer than 1 MiB is a protocol error here
    private static final int TIMEOUT_MS = 20 * 60 * 1000; // smtpd_timeout = 1200s in the walkthrough

    private final InetSocketAddress listen;
    private final InetSocketAddress downstream;
    private final String header; // null: relay messages unchanged
    private final Set<String> strippedExtensions;
    private final PrintStream log; // null: quiet

    private volatile ServerSocket server;
    private volatile boolean closed;
    private Thread acceptor;
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();

    private final AtomicLong sessions = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong downstreamFailures = new AtomicLong();

    /** Proxy with the default header and the default stripped extensions (CHUNKING, STARTTLS). */
    public ContentFilterProxy(InetSocketAddress listen, InetSocketAddress downstream) {
        this(listen, downstream, DEFAULT_HEADER, Set.of("CHUNKING", "STARTTLS"), null);
    }

    /**
     * @param listen     where to listen; port 0 picks a free port (see {@link #port()})
     * @param downstream the re-injection server
     * @param header     a complete header line without CRLF to prepend to each message, or null
     * @param stripped   EHLO keywords (upper case) to hide from the client
     * @param log        where to write one line per session event, or null
     */
    public ContentFilterProxy(InetSocketAddress listen, InetSocketAddress downstream, String header,
                              Set<String> stripped, PrintStream log) {
        this.listen = listen;
        this.downstream = downstream;
        this.header = header;
        this.strippedExtensions = Set.copyOf(stripped);
        this.log = log;
    }

    /** Binds the listener and starts accepting; returns this. */
    public ContentFilterProxy start() throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(listen, 128);
        server = ss;
        acceptor = new Thread(this::acceptLoop, "cfproxy-accept-" + ss.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getLocalPort();
    }

    /** Client sessions accepted so far. */
    public long sessions() { return sessions.get(); }

    /** Messages the downstream accepted (2xx after the final "."). */
    public long messagesRelayed() { return messages.get(); }

    /** Messages the downstream refused after the final ".". */
    public long messagesRejected() { return rejected.get(); }

    /** Sessions refused because the downstream could not be reached or went away. */
    public long downstreamFailures() { return downstreamFailures.get(); }

    /** Stops accepting, closes every open session, waits for the acceptor thread. */
    @Override
    public void close() {
        closed = true;
        ServerSocket ss = server;
        if (ss != null) {
            try { ss.close(); } catch (IOException ignored) { }
        }
        for (Socket s : openSockets) {
            try { s.close(); } catch (IOException ignored) { }
        }
        if (acceptor != null) {
            try { acceptor.join(5000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) note("accept failed: " + e);
                return;
            }
            sessions.incrementAndGet();
            openSockets.add(client);
            Thread t = new Thread(() -> serve(client), "cfproxy-session-" + client.getPort());
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket client) {
        Socket down = null;
        try {
            client.setSoTimeout(TIMEOUT_MS);
            client.setTcpNoDelay(true);
            InputStream cin = new BufferedInputStream(client.getInputStream(), 65536);
            OutputStream cout = new BufferedOutputStream(client.getOutputStream(), 16384);
            try {
                down = new Socket();
                openSockets.add(down);
                down.connect(downstream, 10_000);
                down.setSoTimeout(TIMEOUT_MS);
                down.setTcpNoDelay(true);
            } catch (IOException e) {
                downstreamFailures.incrementAndGet();
                note("downstream " + downstream + " unavailable: " + e.getMessage());
                writeLine(cout, "421 4.4.1 content filter: downstream unavailable");
                return;
            }
            InputStream din = new BufferedInputStream(down.getInputStream(), 16384);
            OutputStream dout = new BufferedOutputStream(down.getOutputStream(), 65536);
            relaySession(cin, cout, din, dout);
        } catch (IOException e) {
            if (!closed) note("session ended: " + e);
        } finally {
            closeQuietly(client);
            if (down != null) closeQuietly(down);
        }
    }

    /** The command/reply loop of one session. Returns when either side is done. */
    private void relaySession(InputStream cin, OutputStream cout, InputStream din, OutputStream dout)
            throws IOException {
        // Greeting: relay the downstream's, so a 4xx/5xx greeting reaches the client as is.
        List<byte[]> greeting = readReply(din);
        if (greeting == null) {
            downstreamFailures.incrementAndGet();
            writeLine(cout, "421 4.4.2 content filter: downstream closed the connection");
            return;
        }
        writeReply(cout, greeting);
        if (replyCode(greeting) / 100 != 2) return;

        while (true) {
            byte[] cmd = readLine(cin);
            if (cmd == null) { // client went away without QUIT: abandon any transaction downstream
                return;
            }
            String verb = verb(cmd);
            dout.write(cmd);
            dout.flush();
            List<byte[]> reply = readReply(din);
            if (reply == null) {
                downstreamFailures.incrementAndGet();
                writeLine(cout, "421 4.4.2 content filter: downstream closed the connection");
                return;
            }
            if (verb.equals("EHLO")) reply = filterEhlo(reply);
            writeReply(cout, reply);
            int code = replyCode(reply);
            if (verb.equals("QUIT")) return;
            if (verb.equals("DATA") && code == 354) {
                if (!relayContent(cin, cout, din, dout)) return;
            }
            if (code == 421) return; // the downstream is closing the session
        }
    }

    /** Relays message content up to and including the lone dot, then the reply. */
    private boolean relayContent(InputStream cin, OutputStream cout, InputStream din, OutputStream dout)
            throws IOException {
        if (header != null) {
            dout.write((header + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        while (true) {
            byte[] line = readLine(cin);
            if (line == null) return false; // client vanished mid-message: downstream aborts it
            dout.write(line);
            if (isLoneDot(line)) break;
        }
        dout.flush();
        List<byte[]> reply = readReply(din);
        if (reply == null) {
            downstreamFailures.incrementAndGet();
            writeLine(cout, "421 4.4.2 content filter: downstream closed the connection");
            return false;
        }
        if (replyCode(reply) / 100 == 2) messages.incrementAndGet(); else rejected.incrementAndGet();
        writeReply(cout, reply);
        return true;
    }

    private List<byte[]> filterEhlo(List<byte[]> reply) {
        if (replyCode(reply) != 250 || reply.size() < 2) return reply;
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < reply.size(); i++) {
            String text = stripEol(new String(reply.get(i), StandardCharsets.ISO_8859_1));
            String rest = text.length() > 4 ? text.substring(4) : "";
            String keyword = rest.split("[ =]", 2)[0].toUpperCase(Locale.ROOT);
            if (i > 0 && strippedExtensions.contains(keyword)) continue;
            kept.add(rest);
        }
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < kept.size(); i++) {
            String sep = i == kept.size() - 1 ? " " : "-";
            out.add(("250" + sep + kept.get(i) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    // ---- line and reply I/O -------------------------------------------------

    /** Reads one line including its terminator (LF or CRLF, kept as received); null at EOF. */
    static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) != -1) {
            buf.write(c);
            if (c == '\n') return buf.toByteArray();
            if (buf.size() > MAX_LINE) throw new IOException("line too long");
        }
        if (buf.size() == 0) return null;
        return buf.toByteArray(); // last line without terminator: pass it on as it is
    }

    /** Reads a complete (possibly multi-line) SMTP reply; null at EOF. */
    static List<byte[]> readReply(InputStream in) throws IOException {
        List<byte[]> lines = new ArrayList<>();
        while (true) {
            byte[] line = readLine(in);
            if (line == null) {
                if (lines.isEmpty()) return null;
                throw new EOFException("connection closed inside a multi-line reply");
            }
            lines.add(line);
            if (line.length < 4 || line[3] != '-') return lines;
        }
    }

    static int replyCode(List<byte[]> reply) {
        byte[] l = reply.get(0);
        if (l.length < 3) return -1;
        try {
            return Integer.parseInt(new String(l, 0, 3, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void writeReply(OutputStream out, List<byte[]> reply) throws IOException {
        for (byte[] l : reply) out.write(l);
        out.flush();
    }

    private static void writeLine(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static boolean isLoneDot(byte[] line) {
        return (line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n')
            || (line.length == 2 && line[0] == '.' && line[1] == '\n');
    }

    private static String verb(byte[] cmd) {
        int n = 0;
        while (n < cmd.length && n < 16 && cmd[n] != ' ' && cmd[n] != '\r' && cmd[n] != '\n') n++;
        return new String(cmd, 0, n, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
    }

    private static String stripEol(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) end--;
        return s.substring(0, end);
    }

    private void closeQuietly(Socket s) {
        openSockets.remove(s);
        try { s.close(); } catch (IOException ignored) { }
    }

    private void note(String msg) {
        PrintStream l = log;
        if (l != null) l.println("cfproxy: " + msg);
    }

    // ---- stand-alone process ------------------------------------------------

    static InetSocketAddress parseAddress(String spec) throws IOException {
        int colon = spec.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("expected host:port, got " + spec);
        String host = spec.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(spec.substring(colon + 1)));
    }

    public static void main(String[] args) throws Exception {
        String listenSpec = "127.0.0.1:10025";
        String downSpec = "127.0.0.1:10026";
        String header = DEFAULT_HEADER;
        Path readyFile = null;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--listen": listenSpec = args[++i]; break;
                case "--downstream": downSpec = args[++i]; break;
                case "--header": header = args[++i]; break;
                case "--no-header": header = null; break;
                case "--ready-file": readyFile = Paths.get(args[++i]); break;
                case "--verbose": verbose = true; break;
                default:
                    System.err.println("usage: ContentFilterProxy [--listen host:port] [--downstream host:port]"
                        + " [--header 'Name: value' | --no-header] [--ready-file FILE] [--verbose]");
                    System.exit(2);
            }
        }
        ContentFilterProxy proxy = new ContentFilterProxy(parseAddress(listenSpec), parseAddress(downSpec),
            header, Set.of("CHUNKING", "STARTTLS"), verbose ? System.err : null);
        proxy.start();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            System.out.println("cfproxy: stopped; sessions=" + proxy.sessions() + " relayed="
                + proxy.messagesRelayed() + " rejected=" + proxy.messagesRejected()
                + " downstream_failures=" + proxy.downstreamFailures());
            System.out.flush();
            done.countDown();
        }));
        System.out.println("cfproxy: listening on " + listenSpec + ", port " + proxy.port()
            + ", relaying to " + downSpec);
        System.out.flush();
        if (readyFile != null) {
            Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
            Files.writeString(tmp, proxy.port() + "\n");
            Files.move(tmp, readyFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        done.await();
    }
}
