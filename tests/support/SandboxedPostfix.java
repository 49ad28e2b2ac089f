import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A throw-away sandbox in which real Postfix instances (and our postmulti)
 * run as root without touching the host's mail system.
 *
 * <h2>Design (what works, and why)</h2>
 * <ul>
 * <li><b>One holder process per sandbox:</b> {@code unshare --mount --net sh -c HOLDER_SCRIPT}.
 *     The holder gets a private mount namespace and a private network
 *     namespace, brings {@code lo} up (127.0.0.1 is the only address; nothing
 *     can leave the box, and ports 25/10025/10026 are always free whatever the
 *     host runs), mounts the bind mounts below, prints {@code READY} and then
 *     blocks reading its stdin (a pipe from this JVM).</li>
 * <li><b>Every command runs inside via {@code nsenter --target HOLDER --mount --net}</b>
 *     ({@link #run}, {@link #spawn}). nsenter does not fork for these two
 *     namespaces, so the {@link Process} we get is the command itself. A JVM
 *     cannot move itself into a network namespace, so Java helpers that must
 *     listen inside (the content-filter proxy) run as child JVMs started the
 *     same way ({@link #spawnJava}).</li>
 * <li><b>The compiled-in defaults point into the sandbox:</b> the holder bind-mounts
 *     {@code ROOT/etc/postfix} on {@code /etc/postfix}, {@code ROOT/spool/postfix}
 *     on {@code /var/spool/postfix}, {@code ROOT/lib/postfix} on
 *     {@code /var/lib/postfix}. So plain {@code postfix start} (no -c, which is
 *     what calls {@code multi_instance_wrapper}), {@code sendmail} and the
 *     setgid {@code postdrop} all see the sandbox primary. Because the bind
 *     hides the host's meta files, the sandbox primary gets copies of
 *     {@code postfix-files}, {@code main.cf.proto}, {@code master.cf.proto},
 *     {@code dynamicmaps.cf}, {@code postfix-script} ... (meta_directory is
 *     {@code /etc/postfix} on Debian).</li>
 * <li><b>Explicit paths:</b> the primary main.cf written by {@link #primarySettings}
 *     sets {@code queue_directory} and {@code data_directory} to the absolute
 *     sandbox paths, so postmulti's derived paths for a new instance
 *     ({@code -I postfix-out}: sibling of the primary's directories) land in
 *     the sandbox too, when postmulti is given {@code -c ROOT/etc/postfix}.</li>
 * <li><b>Safety net:</b> {@code /etc}, {@code /var/spool} and {@code /var/lib} are
 *     covered (inside the namespace only) by overlays whose upper layers live
 *     in {@code ROOT/ovl/NAME/upper} (or on a namespace-private tmpfs when ROOT
 *     itself is on overlayfs), so even a stray write such as
 *     {@code /etc/postfix-out} from a postmulti run without -c lands in the
 *     sandbox. A directory with submounts (e.g. Docker's /etc/hosts) is left
 *     without overlay. {@link #overlayNotes()} says what was done.</li>
 * <li><b>Teardown:</b> {@link #close()} kills every process whose network
 *     namespace is the sandbox's (SIGTERM, then SIGKILL), closes the holder's
 *     stdin, waits for it and deletes ROOT. If the JVM dies first, the holder
 *     sees EOF on stdin and kills everything in its namespace itself; only
 *     ROOT (named /tmp/pm-e2e-*) may remain.</li>
 * </ul>
 *
 * <h2>Pitfalls this class handles</h2>
 * Temp dirs from {@code Files.createTempDirectory} are 0700: ROOT is made 0755
 * so the postfix user can traverse it. {@code data_directory} must be owned by
 * the mail owner (master.lock). {@code maillog_file} must start with one of
 * {@code maillog_file_prefixes} (default {@code /var, /dev/stdout}): set both.
 * Postfix prints its messages on stderr only when stderr is a terminal: use
 * {@link #runTty} (script(1)) or read the maillog. Debian's master.cf.proto
 * chroots most daemons; {@link #installMasterCf} turns chroot off.
 * {@code smtp-sink} refuses to run as root without {@code -u}; its dump
 * directory must belong to that user.
 */
public final class SandboxedPostfix implements AutoCloseable {

    public static final Path HOST_POSTFIX_ETC = Paths.get("/etc/postfix");

    private static final String HOLDER_SCRIPT = String.join("\n",
        "set -eu",
        "R=\"$1\"",
        "mount --make-rprivate /",
        "ip link set lo up",
        "note() { echo \"$*\" >> \"$R/log/holder.log\"; }",
        "tmpfs_ready=",
        "overlay() {  # overlay DIR NAME: private overlay, upper layer in the sandbox",
        "  d=$1; n=$2",
        "  if awk -v d=\"$d/\" 'index($5, d) == 1 { found=1 } END { exit !found }' /proc/self/mountinfo; then",
        "    note \"overlay $d: skipped (has submounts)\"; return 0",
        "  fi",
        "  mkdir -p \"$R/ovl/$n/upper\" \"$R/ovl/$n/work\"",
        "  if mount -t overlay \"pm-e2e-$n\" -o \"lowerdir=$d,upperdir=$R/ovl/$n/upper,workdir=$R/ovl/$n/work\" \"$d\" 2>/dev/null; then",
        "    note \"overlay $d: upper $R/ovl/$n/upper\"; return 0",
        "  fi",
        "  if [ -z \"$tmpfs_ready\" ]; then mkdir -p \"$R/ovl-tmpfs\"; mount -t tmpfs -o mode=755 pm-e2e \"$R/ovl-tmpfs\"; tmpfs_ready=1; fi",
        "  mkdir -p \"$R/ovl-tmpfs/$n/upper\" \"$R/ovl-tmpfs/$n/work\"",
        "  if mount -t overlay \"pm-e2e-$n\" -o \"lowerdir=$d,upperdir=$R/ovl-tmpfs/$n/upper,workdir=$R/ovl-tmpfs/$n/work\" \"$d\" 2>/dev/null; then",
        "    note \"overlay $d: upper on namespace tmpfs\"; return 0",
        "  fi",
        "  note \"overlay $d: not available\"",
        "}",
        "if [ \"$2\" = overlays ]; then overlay /etc etc; overlay /var/spool var_spool; overlay /var/lib var_lib; fi",
        "if [ \"$2\" = system ]; then overlay /etc etc; overlay /usr usr; overlay /var var; fi",
        "# an init script would hand its work to the host's systemd (lsb's 40-systemd): hide it",
        "if [ \"$2\" = system ] && [ -d /run/systemd ]; then mount -t tmpfs -o mode=755 pm-e2e-run /run/systemd; fi",
        "mount --bind \"$R/etc/postfix\" /etc/postfix",
        "mount --bind \"$R/spool/postfix\" /var/spool/postfix",
        "mount --bind \"$R/lib/postfix\" /var/lib/postfix",
        "echo READY $$",
        "exec >> \"$R/log/holder.log\" 2>&1",
        "while read -r _; do :; done  # (a builtin: no child process) until the JVM closes our stdin",
        "me=$(readlink /proc/$$/ns/net)",
        "for sig in TERM KILL; do",
        "  hit=",
        "  for p in /proc/[0-9]*; do",
        "    pid=${p#/proc/}; [ \"$pid\" = $$ ] && continue",
        "    if [ \"$(readlink $p/ns/net 2>/dev/null)\" = \"$me\" ] && kill -$sig $pid 2>/dev/null; then",
        "      echo \"holder: $sig $pid\"; hit=1",
        "    fi",
        "  done",
        "  [ -n \"$hit\" ] || break",
        "  sleep 1",
        "done",
        "exit 0");

    private final Path root;
    private final Process holder;
    /** The process whose namespaces commands enter: the holder, or with private pids the shell it forked. */
    private final long target;
    private final boolean privatePids;
    private final OutputStream holderStdin;
    private final String netns;
    private final AtomicInteger runCounter = new AtomicInteger();
    private final List<Process> spawned = new ArrayList<>();
    private volatile boolean closed;

    /** Outcome of a command run inside the sandbox. */
    public static final class Result {
        public final List<String> command;
        public final int exitCode;
        public final String stdout;
        public final String stderr;
        public final Duration elapsed;

        Result(List<String> command, int exitCode, String stdout, String stderr, Duration elapsed) {
            this.command = command;
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
            this.elapsed = elapsed;
        }

        public boolean ok() { return exitCode == 0; }

        /** Throws with the whole transcript unless the exit status was 0. */
        public Result orThrow() {
            if (exitCode != 0) throw new IllegalStateException(toString());
            return this;
        }

        @Override
        public String toString() {
            return "$ " + String.join(" ", command) + "\n[exit " + exitCode + ", " + elapsed.toMillis() + " ms]\n"
                + (stdout.isEmpty() ? "" : "--- stdout\n" + stdout) + (stderr.isEmpty() ? "" : "--- stderr\n" + stderr);
        }
    }

    // ---- availability -------------------------------------------------------

    /**
     * Why a sandbox cannot be made here, or empty when it can: needs root,
     * Postfix (postfix, postconf, smtp-sink, smtp-source), nsenter, ip, and
     * permission to create mount+network namespaces. Use with
     * {@code Assumptions.assumeTrue(reason.isEmpty(), reason.orElse(""))}.
     */
    public static Optional<String> unavailableReason() {
        if (!isRoot()) {
            return Optional.of("needs root (Postfix instances and namespaces), running as " + System.getProperty("user.name"));
        }
        for (String tool : List.of("postfix", "postconf", "smtp-sink", "smtp-source", "sendmail", "nsenter", "unshare", "ip", "script")) {
            if (which(tool).isEmpty()) return Optional.of("needs " + tool + " on PATH (apt-get install postfix util-linux iproute2)");
        }
        if (!Files.isRegularFile(HOST_POSTFIX_ETC.resolve("postfix-files"))) {
            return Optional.of("needs the Postfix meta files in /etc/postfix (postfix-files, main.cf.proto)");
        }
        try {
            Process p = new ProcessBuilder("unshare", "--mount", "--net", "sh", "-c", "ip link set lo up && mount --make-rprivate /")
                .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return Optional.of("cannot create mount+network namespaces (unshare -m -n): " + out);
            }
        } catch (IOException e) {
            return Optional.of("cannot run unshare: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
        return Optional.empty();
    }

    /** Effective uid 0 (the owner of /proc/self is the process's euid). */
    public static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Paths.get("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    static Optional<Path> which(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Paths.get(dir, tool);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    // ---- creation -----------------------------------------------------------

    /** A sandbox with the safety overlays (see the class comment). */
    public static SandboxedPostfix create() throws IOException {
        return create(true);
    }

    /**
     * Makes ROOT (/tmp/pm-e2e-*), the primary layout ROOT/etc/postfix (host meta
     * files copied, no main.cf/master.cf yet), ROOT/spool/postfix,
     * ROOT/lib/postfix (mail owner, 0700), ROOT/log, and starts the holder.
     */
    public static SandboxedPostfix create(boolean overlays) throws IOException {
        return create(overlays ? "overlays" : "no-overlays");
    }

    /**
     * A sandbox for installing packages: throwaway overlays over the whole of /etc, /usr and
     * /var (so dpkg's database, diversions, logs and caches too), the host's systemd hidden
     * from init scripts, and process ids of its own (with its own /proc), so that a program
     * that looks for running processes, such as start-stop-daemon, sees only the sandbox's:
     * in the host's /proc, a host process running /usr/sbin/postmulti would be taken for the
     * sandbox's /usr/sbin/postmulti. {@link #overlayNotes()} says whether each overlay was made.
     */
    public static SandboxedPostfix createForPackages() throws IOException {
        return create("system");
    }

    private static SandboxedPostfix create(String mode) throws IOException {
        Path root = Files.createTempDirectory("pm-e2e-");
        try {
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path etc = Files.createDirectories(root.resolve("etc/postfix"));
            copyMetaFiles(HOST_POSTFIX_ETC, etc);
            Files.createDirectories(root.resolve("spool/postfix"));
            makeDataDirectory(root.resolve("lib/postfix"));
            Files.createDirectories(root.resolve("log"));
            return new SandboxedPostfix(root, mode);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(root);
            throw e;
        }
    }

    private SandboxedPostfix(Path root, String mode) throws IOException {
        this.root = root;
        this.privatePids = mode.equals("system");
        List<String> unshare = new ArrayList<>(List.of("unshare", "--mount", "--net"));
        if (privatePids) unshare.addAll(List.of("--pid", "--fork", "--mount-proc"));
        ProcessBuilder pb = new ProcessBuilder(unshare);
        pb.command().addAll(List.of("sh", "-c", HOLDER_SCRIPT, "pm-e2e-holder", root.toString(), mode));
        pb.redirectErrorStream(true);
        this.holder = pb.start();
        this.holderStdin = holder.getOutputStream();
        BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder transcript = new StringBuilder();
        String line;
        boolean ready = false;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("READY ")) { ready = true; break; }
            transcript.append(line).append('\n');
        }
        if (!ready) {
            holder.destroyForcibly();
            throw new IOException("sandbox holder failed: " + transcript);
        }
        try {
            this.netns = Files.readSymbolicLink(Paths.get("/proc", Long.toString(holder.pid()), "ns", "net")).toString();
            this.target = privatePids
                ? holder.toHandle().children().findFirst().orElseThrow(() -> new IOException("no holder shell")).pid()
                : holder.pid();
        } catch (IOException e) {
            holder.destroyForcibly();
            throw e;
        }
    }

    private static void copyMetaFiles(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.collect(Collectors.toList())) {
                String name = p.getFileName().toString();
                if (name.equals("main.cf") || name.equals("master.cf")) continue;
                if (!name.equals("sasl") && !name.startsWith("dynamicmaps.cf") && !name.startsWith("postfix-files")
                    && !name.endsWith(".proto") && !name.equals("makedefs.out") && !name.equals("post-install")
                    && !name.equals("postfix-script")) {
                    continue; // the host's own tables/certificates are none of our business
                }
                copyTree(p, to.resolve(name));
            }
        }
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        // symbolic links are copied as what they point to (makedefs.out is a link into
        // /usr/share; postfix-script warns about links leaving the config directory)
        if (Files.isDirectory(src)) {
            Files.createDirectories(dst);
            try (Stream<Path> s = Files.list(src)) {
                for (Path p : s.collect(Collectors.toList())) copyTree(p, dst.resolve(p.getFileName().toString()));
            }
        } else {
            Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    /** Creates a Postfix data directory: owned by the mail owner ("postfix"), mode 0700. */
    public static void makeDataDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        chown(dir, "postfix", "postfix");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    /** chown by name (root only). */
    public static void chown(Path p, String user, String group) throws IOException {
        UserPrincipalLookupService lookup = p.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        UserPrincipal u = lookup.lookupPrincipalByName(user);
        view.setOwner(u);
        if (group != null) {
            GroupPrincipal g = lookup.lookupPrincipalByGroupName(group);
            view.setGroup(g);
        }
    }

    // ---- layout -------------------------------------------------------------

    public Path root() { return root; }

    /** ROOT/etc/postfix, seen as /etc/postfix inside the sandbox. Pass it to postmulti as -c. */
    public Path primaryConfigDir() { return root.resolve("etc/postfix"); }

    public Path primaryQueueDir() { return root.resolve("spool/postfix"); }

    public Path primaryDataDir() { return root.resolve("lib/postfix"); }

    /** Where postmulti -e create puts instance NAME's config dir (sibling of the primary's). */
    public Path configDir(String instance) { return root.resolve("etc").resolve(instance); }

    public Path queueDir(String instance) { return root.resolve("spool").resolve(instance); }

    public Path dataDir(String instance) { return root.resolve("lib").resolve(instance); }

    public Path logDir() { return root.resolve("log"); }

    /** The maillog file the settings below give an instance ("postfix" for the primary). */
    public Path maillog(String instance) { return logDir().resolve(instance + ".log"); }

    /** A path as the sandbox sees it, readable from this JVM (via /proc/HOLDER/root). */
    public Path insideView(String absolutePath) {
        return Paths.get("/proc", Long.toString(target), "root", absolutePath.replaceFirst("^/+", ""));
    }

    public long holderPid() { return holder.pid(); }

    /** What the holder did about the /etc, /var/spool, /var/lib overlays. */
    public String overlayNotes() {
        try {
            return Files.exists(logDir().resolve("holder.log")) ? Files.readString(logDir().resolve("holder.log")) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    // ---- configuration helpers ----------------------------------------------

    /**
     * main.cf settings every sandbox instance needs: its own hostname (no
     * false "mail loops back to myself"), loopback only, IPv4 only, no local
     * delivery, a maillog file inside the sandbox, and explicit
     * queue/data directories.
     */
    public Map<String, String> baseSettings(String instance, String myhostname, Path queueDir, Path dataDir) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("compatibility_level", "3.6");
        m.put("queue_directory", queueDir.toString());
        m.put("data_directory", dataDir.toString());
        m.put("myhostname", myhostname);
        m.put("inet_interfaces", "loopback-only");
        m.put("inet_protocols", "ipv4");
        m.put("mynetworks", "127.0.0.0/8");
        m.put("mydestination", "");
        m.put("local_transport", "error:5.1.1 Mailbox unavailable");
        m.put("alias_maps", "");
        m.put("alias_database", "");
        m.put("local_recipient_maps", "");
        m.put("biff", "no");
        m.put("maillog_file", maillog(instance).toString());
        m.put("maillog_file_prefixes", root.toString());
        m.put("smtp_dns_support_level", "disabled");
        return m;
    }

    /** {@link #baseSettings} for the primary (queue/data under ROOT/spool/postfix, ROOT/lib/postfix). */
    public Map<String, String> primarySettings(String myhostname) {
        return baseSettings("postfix", myhostname, primaryQueueDir(), primaryDataDir());
    }

    /** Writes a fresh main.cf with exactly these settings (in order). */
    public static void writeMainCf(Path configDir, Map<String, String> settings) throws IOException {
        StringBuilder sb = new StringBuilder("# written by SandboxedPostfix (postmulti e2e tests)\n");
        settings.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        Files.createDirectories(configDir);
        Files.writeString(configDir.resolve("main.cf"), sb.toString());
    }

    /**
     * Installs the stock master.cf (from main.cf.proto's sibling), with chroot
     * turned off everywhere, and the "smtp inet" listener replaced by
     * {@code smtpListen} (e.g. "127.0.0.1:25"), or removed when null.
     */
    public void installMasterCf(Path configDir, String smtpListen) throws IOException {
        Files.copy(HOST_POSTFIX_ETC.resolve("master.cf.proto"), configDir.resolve("master.cf"),
            StandardCopyOption.REPLACE_EXISTING);
        postconf(configDir, "-F", "*/*/chroot = n").orThrow();
        if (smtpListen == null) {
            postconf(configDir, "-MX", "smtp/inet").orThrow();
        } else {
            // replaces the "smtp inet" entry in place (postconf keys the edit on name/type)
            postconf(configDir, "-M", "smtp/inet=" + smtpListen + " inet n - n - - smtpd").orThrow();
        }
    }

    /** postconf -c DIR ARGS... inside the sandbox. */
    public Result postconf(Path configDir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("postconf", "-c", configDir.toString()));
        cmd.addAll(Arrays.asList(args));
        return run(cmd);
    }

    /** postfix -c DIR ARGS... inside the sandbox, on a pseudo-terminal so its messages are captured. */
    public Result postfix(Path configDir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("postfix", "-c", configDir.toString()));
        cmd.addAll(Arrays.asList(args));
        return runTty(cmd, Map.of(), Duration.ofMinutes(2));
    }

    /** Files waiting in a queue directory (maildrop, incoming, active, deferred, hold). */
    public static long queuedFiles(Path queueDir) {
        long n = 0;
        for (String q : List.of("maildrop", "incoming", "active", "deferred", "hold")) {
            Path d = queueDir.resolve(q);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.walk(d)) {
                n += s.filter(Files::isRegularFile).count();
            } catch (IOException | UncheckedIOException e) {
                // a queue file vanished while walking: count the rest next time
            }
        }
        return n;
    }

    /** Waits until every given queue directory is empty; true when they are. */
    public static boolean awaitQueuesEmpty(Duration timeout, Path... queueDirs) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Stream.of(queueDirs).mapToLong(SandboxedPostfix::queuedFiles).sum() == 0) return true;
            Thread.sleep(100);
        }
        return false;
    }

    /** Reads a maillog file ("" when missing). */
    public static String readLog(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    // ---- running commands inside --------------------------------------------

    private List<String> enter(List<String> cmd) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--target", Long.toString(target), "--mount", "--net"));
        if (privatePids) full.add("--pid");
        full.add("--");
        full.addAll(cmd);
        return full;
    }

    /**
     * A ProcessBuilder for {@code cmd} inside the sandbox. The environment is
     * this JVM's minus MAIL_CONFIG/MAIL_VERBOSE/MAIL_DEBUG (which would force
     * Postfix into single-instance mode or point it elsewhere), plus /usr/sbin
     * on PATH.
     */
    public ProcessBuilder processBuilder(List<String> cmd) {
        checkOpen();
        ProcessBuilder pb = new ProcessBuilder(enter(cmd));
        Map<String, String> env = pb.environment();
        env.remove("MAIL_CONFIG");
        env.remove("MAIL_VERBOSE");
        env.remove("MAIL_DEBUG");
        String path = env.getOrDefault("PATH", "/usr/bin:/bin");
        if (!(":" + path + ":").contains(":/usr/sbin:")) env.put("PATH", path + ":/usr/sbin:/sbin");
        pb.directory(root.toFile());
        return pb;
    }

    public Result run(String... cmd) {
        return run(Arrays.asList(cmd));
    }

    public Result run(List<String> cmd) {
        return run(cmd, Map.of(), null, Duration.ofMinutes(2));
    }

    /**
     * Runs {@code cmd} inside the sandbox and waits for it.
     *
     * @param env     extra environment (added to {@link #processBuilder}'s)
     * @param stdin   text for standard input, or null for none
     * @param timeout killed (SIGKILL) after this long, and reported as exit 124
     */
    public Result run(List<String> cmd, Map<String, String> env, String stdin, Duration timeout) {
        ProcessBuilder pb = processBuilder(cmd);
        pb.environment().putAll(env);
        int n = runCounter.incrementAndGet();
        Path out = logDir().resolve("run-" + n + ".out");
        Path err = logDir().resolve("run-" + n + ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()));
        long t0 = System.nanoTime();
        try {
            Process p = pb.start();
            if (stdin != null) {
                try (OutputStream os = p.getOutputStream()) {
                    os.write(stdin.getBytes(StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the command did not read all of its input; its exit status tells
                }
            }
            int code;
            if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                code = p.exitValue();
            } else {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                code = 124;
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            String o = Files.readString(out, StandardCharsets.ISO_8859_1);
            String e = Files.readString(err, StandardCharsets.ISO_8859_1);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return new Result(cmd, code, o, e, elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd, e);
        }
    }

    /**
     * Like {@link #run} but on a pseudo-terminal ({@code script -qec CMD /dev/null}),
     * for programs that only print diagnostics when stderr is a terminal (Postfix's
     * postfix, postmulti, postconf warnings). stdout and stderr arrive merged in
     * {@link Result#stdout}, with CRLF turned back into LF.
     */
    public Result runTty(List<String> cmd, Map<String, String> env, Duration timeout) {
        String line = cmd.stream().map(SandboxedPostfix::shellQuote).collect(Collectors.joining(" "));
        Result r = run(List.of("script", "-qec", line, "/dev/null"), env, null, timeout);
        return new Result(cmd, r.exitCode, r.stdout.replace("\r\n", "\n"), r.stderr, r.elapsed);
    }

    /**
     * Starts {@code cmd} inside the sandbox in the background, stdout and
     * stderr appended to {@code logFile}. It is killed by {@link #close()} at
     * the latest.
     */
    public Process spawn(List<String> cmd, Path logFile) throws IOException {
        ProcessBuilder pb = processBuilder(cmd);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()));
        Process p = pb.start();
        synchronized (spawned) {
            spawned.add(p);
        }
        return p;
    }

    /**
     * Starts a Java main class inside the sandbox with this JVM's java and
     * class path (so test-support classes like {@link ContentFilterProxy} run
     * as they are compiled here).
     */
    public Process spawnJava(String mainClass, List<String> args, Path logFile) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xss512k", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        return spawn(cmd, logFile);
    }

    /** Quotes one word for sh. */
    public static String shellQuote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_@%+=:,./-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    // ---- teardown -----------------------------------------------------------

    /** Pids of every process in the sandbox's network namespace except the holder. */
    public List<Long> processesInside() {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> s = Files.list(Paths.get("/proc"))) {
            for (Path p : s.collect(Collectors.toList())) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                long pid = Long.parseLong(name);
                if (pid == holder.pid() || pid == target) continue;
                try {
                    if (Files.readSymbolicLink(p.resolve("ns/net")).toString().equals(netns)) pids.add(pid);
                } catch (IOException | SecurityException ignored) {
                    // gone, or a kernel thread
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    /** SIGTERM every process inside, wait up to {@code grace}, then SIGKILL the rest. */
    public void killAllInside(Duration grace) throws InterruptedException {
        for (long pid : processesInside()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && !liveInside().isEmpty()) Thread.sleep(50);
        for (long pid : liveInside()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        synchronized (spawned) {
            for (Process p : spawned) p.waitFor(5, TimeUnit.SECONDS); // reap our own children
        }
    }

    private List<Long> liveInside() {
        return processesInside().stream().filter(pid -> !isZombie(pid)).collect(Collectors.toList());
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return true; // gone
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("sandbox closed");
    }

    /** Kills everything inside, ends the holder (namespaces vanish with it) and deletes ROOT. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            killAllInside(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try { holderStdin.close(); } catch (IOException ignored) { }
            try {
                if (!holder.waitFor(15, TimeUnit.SECONDS)) holder.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                holder.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            deleteRecursively(root);
        }
    }

    /** rm -rf for our own temp trees (does not follow symbolic links). */
    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<Path>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    try {
                        Files.deleteIfExists(d);
                    } catch (IOException e) {
                        // a busy mount point or a file that appeared meanwhile: leave it
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
