import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The real Postfix {@code smtp-sink(1)} as the "internal mail hub" of the
 * end-to-end tests, with every received message captured to its own file
 * ({@code smtp-sink -d DIR/%Y%m%d%H%M%S.}: one file per completed transaction;
 * the time prefix keeps two messages from ever sharing a name), so tests can
 * count what arrived by Message-ID.
 *
 * <p>Facts about smtp-sink that shape this class (checked on Postfix 3.7):
 * run as root it needs {@code -u USER} and the dump directory must belong to
 * that user; a dump file exists (possibly empty or partial) while its
 * transaction is in progress and is removed again when the transaction is
 * aborted (client disconnects, RSET), so counts are exact once the sink is
 * quiet ({@link #awaitMessages} waits for that). Each file starts with
 * smtp-sink's own X-Client-Addr/X-Client-Proto/X-Helo-Args/X-Mail-Args/X-Rcpt-Args
 * headers and a Received: header, then the message as received.
 * {@code smtp-source(1)} gives every message a {@code Message-Id: <PID.FD.SEQ@host>}
 * that is unique within one smtp-source run.
 */
public final class SmtpSink implements AutoCloseable {

    /** How to start a program (inside a sandbox, or on the host). */
    @FunctionalInterface
    public interface Launcher {
        Process launch(List<String> command, Path logFile) throws IOException;
    }

    /** One captured message. */
    public static final class Message {
        public final Path file;
        /** Header fields in order (smtp-sink's own first), names as written, values unfolded. */
        public final List<Map.Entry<String, String>> headers;
        public final String body;

        Message(Path file, List<Map.Entry<String, String>> headers, String body) {
            this.file = file;
            this.headers = headers;
            this.body = body;
        }

        /** First value of a header (case-insensitive name), or null. */
        public String header(String name) {
            for (Map.Entry<String, String> h : headers) if (h.getKey().equalsIgnoreCase(name)) return h.getValue();
            return null;
        }

        /** All values of a header (case-insensitive name). */
        public List<String> headers(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .collect(Collectors.toList());
        }

        /** The Message-ID value, angle brackets included, or null. */
        public String messageId() { return header("Message-Id"); }

        /** Envelope sender as given in MAIL FROM (without brackets or parameters). */
        public String envelopeSender() { return address(header("X-Mail-Args")); }

        /** Envelope recipients as given in RCPT TO. */
        public List<String> envelopeRecipients() {
            return headers("X-Rcpt-Args").stream().map(SmtpSink::address).collect(Collectors.toList());
        }

        /** Full text as stored. */
        public String text() {
            try {
                return Files.readString(file, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final Path dumpDir;
    private final Process process;
    private final Path logFile;
    private final String listen;

    private SmtpSink(Path dumpDir, Process process, Path logFile, String listen) {
        this.dumpDir = dumpDir;
        this.process = process;
        this.logFile = logFile;
        this.listen = listen;
    }

    /** Starts smtp-sink inside the sandbox on HOST:PORT, capturing to dumpDir. */
    public static SmtpSink start(SandboxedPostfix sandbox, String host, int port, Path dumpDir, String... extraOptions)
            throws IOException, InterruptedException {
        return start(sandbox::spawn, host, port, dumpDir, extraOptions);
    }

    /** Starts smtp-sink directly on this host (use a loopback address and a free port). */
    public static SmtpSink startOnHost(String host, int port, Path dumpDir, String... extraOptions)
            throws IOException, InterruptedException {
        return start((cmd, log) -> new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start(), host, port, dumpDir, extraOptions);
    }

    /**
     * Starts {@code smtp-sink [-u postfix] -h HUBNAME -d DIR/%Y%m%d%H%M%S. EXTRA... HOST:PORT 256}.
     * extraOptions go before the address (e.g. "-h", "mailhub.example.com", or "-r", "RCPT" to
     * soft-reject). Returns once the sink answers (checked by its log staying clean
     * and the process staying alive for a moment).
     */
    public static SmtpSink start(Launcher launcher, String host, int port, Path dumpDir, String... extraOptions)
            throws IOException, InterruptedException {
        Files.createDirectories(dumpDir);
        boolean root = SandboxedPostfix.isRoot();
        if (root) {
            SandboxedPostfix.chown(dumpDir, "postfix", null);
            // smtp-sink drops to the postfix user: every ancestor must be searchable by others
            for (Path p = dumpDir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IOException("smtp-sink (user postfix) cannot reach " + dumpDir + ": " + p
                        + " is not searchable by others (Files.createTempDirectory makes 0700)");
                }
            }
        }
        Files.setPosixFilePermissions(dumpDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> cmd = new ArrayList<>(List.of("smtp-sink"));
        if (root) cmd.addAll(List.of("-u", "postfix"));
        List<String> extra = List.of(extraOptions);
        if (!extra.contains("-h")) cmd.addAll(List.of("-h", "mailhub.example.com"));
        cmd.addAll(List.of("-d", dumpDir.resolve("%Y%m%d%H%M%S.").toString()));
        cmd.addAll(extra);
        String listen = host + ":" + port;
        cmd.add(listen);
        cmd.add("256");
        Path log = dumpDir.resolveSibling(dumpDir.getFileName() + ".log");
        Process p = launcher.launch(cmd, log);
        // smtp-sink has no readiness signal; it binds before anything else, so a
        // short wait that it does not die is enough (it exits at once on bind errors).
        if (p.waitFor(300, TimeUnit.MILLISECONDS)) {
            throw new IOException("smtp-sink exited with status " + p.exitValue() + ": "
                + (Files.exists(log) ? Files.readString(log) : ""));
        }
        return new SmtpSink(dumpDir, p, log, listen);
    }

    public Path dumpDir() { return dumpDir; }

    public String listenAddress() { return listen; }

    public boolean isAlive() { return process.isAlive(); }

    /** Files in the dump directory (completed messages, plus transactions in progress). */
    public int fileCount() {
        try (Stream<Path> s = Files.list(dumpDir)) {
            return (int) s.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until at least {@code n} messages are there and nothing has
     * changed for {@code quiet} (so late duplicates would be seen too), or
     * until the timeout. Returns the final file count.
     */
    public int awaitMessages(int n, Duration timeout, Duration quiet) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            String state = snapshot();
            if (!state.equals(last)) {
                last = state;
                lastChange = System.nanoTime();
            }
            int count = fileCount();
            if (count >= n && System.nanoTime() - lastChange >= quiet.toNanos()) return count;
            Thread.sleep(100);
        }
        return fileCount();
    }

    /** Same as {@code awaitMessages(n, timeout, 1 second)}. */
    public int awaitMessages(int n, Duration timeout) throws InterruptedException {
        return awaitMessages(n, timeout, Duration.ofSeconds(1));
    }

    private String snapshot() {
        try (Stream<Path> s = Files.list(dumpDir)) {
            long[] acc = new long[2];
            s.forEach(p -> {
                acc[0]++;
                try { acc[1] += Files.size(p); } catch (IOException ignored) { acc[1]--; }
            });
            return acc[0] + "/" + acc[1];
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Every captured message, in file-name order. */
    public List<Message> messages() {
        List<Path> files;
        try (Stream<Path> s = Files.list(dumpDir)) {
            files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Message> out = new ArrayList<>();
        for (Path f : files) {
            try {
                out.add(parse(f, Files.readString(f, StandardCharsets.ISO_8859_1)));
            } catch (IOException e) {
                // removed meanwhile (aborted transaction)
            }
        }
        return out;
    }

    /** Message-IDs of all captured messages (one entry per message; "(none) FILE" when missing). */
    public List<String> messageIds() {
        return messages().stream()
            .map(m -> m.messageId() != null ? m.messageId() : "(none) " + m.file.getFileName())
            .collect(Collectors.toList());
    }

    /** Message-ID multiset: id -> number of times it arrived. */
    public Map<String, Integer> messageIdCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (String id : messageIds()) counts.merge(id, 1, Integer::sum);
        return counts;
    }

    /** Message-IDs that arrived more than once. */
    public Map<String, Integer> duplicates() {
        Map<String, Integer> d = new TreeMap<>();
        messageIdCounts().forEach((k, v) -> { if (v > 1) d.put(k, v); });
        return d;
    }

    /** Removes every captured message (between test phases). */
    public void clear() {
        try (Stream<Path> s = Files.list(dumpDir)) {
            for (Path p : s.collect(Collectors.toList())) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** smtp-sink's own output (bind errors and the like). */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Stops smtp-sink (SIGTERM, then SIGKILL). Captured files stay until the directory is deleted. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    // ---- parsing ------------------------------------------------------------

    static Message parse(Path file, String text) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        int i = 0;
        StringBuilder current = null;
        String currentName = null;
        for (; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) { i++; break; }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append(' ').append(line.trim());
                continue;
            }
            if (currentName != null) headers.add(Map.entry(currentName, current.toString()));
            int colon = line.indexOf(':');
            if (colon <= 0) { currentName = null; current = null; continue; }
            currentName = line.substring(0, colon);
            current = new StringBuilder(line.substring(colon + 1).trim());
        }
        if (currentName != null) headers.add(Map.entry(currentName, current.toString()));
        String body = i < lines.length ? String.join("\n", List.of(lines).subList(i, lines.length)) : "";
        return new Message(file, Collections.unmodifiableList(headers), body);
    }

    static String address(String args) {
        if (args == null) return null;
        String s = args.trim();
        if (s.startsWith("<")) {
            int end = s.indexOf('>');
            return end > 0 ? s.substring(1, end) : s.substring(1);
        }
        int sp = s.indexOf(' ');
        return sp < 0 ? s : s.substring(0, sp);
    }
}
