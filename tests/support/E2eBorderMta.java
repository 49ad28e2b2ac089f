import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The border mail server of MULTI_INSTANCE_README, built step by step in a
 * {@link SandboxedPostfix} with the walkthrough's own postmulti commands:
 * a null-client primary, the "mta" group's postfix-out (re-injection on
 * 127.0.0.1:10026) and postfix-in (receives on 127.0.0.1:25, relays through
 * the content filter on 127.0.0.1:10025), a {@link ContentFilterProxy} between
 * them and an {@link SmtpSink} on 127.0.0.1:10027 as the internal mail hub (and
 * the null client's relayhost). See tests/e2e/README.md.
 *
 * <p>The postmulti that drives it is pluggable ({@link Flavor}):
 * <ul>
 * <li>{@code OURS}: our tool, {@code java -cp <test class path> postmulti -c ROOT/etc/postfix ...};
 *     {@code postfix start/stop} reach it through a launcher script
 *     ROOT/bin/postmulti that {@code -e init} sets as {@code multi_instance_wrapper}
 *     (given in POSTMULTI_WRAPPER, see {@link E2ePostmulti}).</li>
 * <li>{@code REAL}: Postfix's /usr/sbin/postmulti, the oracle (it cannot take -c;
 *     inside the sandbox /etc/postfix is the sandbox primary anyway; "-e create"
 *     gets an explicit config_directory so both flavors build the same tree).</li>
 * </ul>
 * Every instance logs to one shared file ({@link #maillog()}), so the order of
 * lines across instances is the order of events (start/stop order checks).
 */
public final class E2eBorderMta implements AutoCloseable {

    public enum Flavor { OURS, REAL }

    public static final int IN_PORT = 25;
    public static final int FILTER_PORT = 10025;
    public static final int REINJECT_PORT = 10026;
    public static final int HUB_PORT = 10027;

    public static final String NULL_CLIENT_HOST = "mta1.example.com";
    public static final String IN_HOST = "mta1-in.example.com";
    public static final String OUT_HOST = "mta1-out.example.com";
    public static final String HUB_HOST = "mailhub.example.com";

    public final SandboxedPostfix sb;
    public final Flavor flavor;
    private final E2ePostmulti ours;
    private SmtpSink hub;
    private Process proxy;
    private final List<SandboxedPostfix.Result> transcript = new ArrayList<>();

    public E2eBorderMta(SandboxedPostfix sandbox, Flavor flavor) {
        this.sb = sandbox;
        this.flavor = flavor;
        this.ours = new E2ePostmulti(sandbox);
    }

    // ---- paths --------------------------------------------------------------

    public Path primary() { return sb.primaryConfigDir(); }

    public Path outConfig() { return sb.configDir("postfix-out"); }

    public Path inConfig() { return sb.configDir("postfix-in"); }

    public Path maillog() { return sb.logDir().resolve("maillog"); }

    public SmtpSink hub() { return hub; }

    /** Every command run so far, with its output (for failure messages). */
    public String transcript() {
        return transcript.stream().map(Object::toString).collect(Collectors.joining("\n"));
    }

    // ---- running things -----------------------------------------------------

    /** Our postmulti with the sandbox primary ({@code -c ROOT/etc/postfix}), and its wrapper launcher. */
    public E2ePostmulti ours() { return ours; }

    /** The command line that runs our postmulti with the sandbox primary ({@code -c ROOT/etc/postfix}). */
    public List<String> ourPostmulti() {
        return ours.command();
    }

    /** Our postmulti without -c (see {@link E2ePostmulti}). */
    public List<String> ourPostmultiNoConfig() {
        return ours.commandNoConfig();
    }

    /** Runs postmulti ARGS (the chosen flavor) inside the sandbox, on a terminal; recorded in the transcript. */
    public SandboxedPostfix.Result postmulti(String... args) {
        return postmulti(Map.of(), args);
    }

    /** The same with extra environment variables. */
    public SandboxedPostfix.Result postmulti(Map<String, String> env, String... args) {
        List<String> cmd = flavor == Flavor.OURS ? ourPostmulti() : new ArrayList<>(List.of("/usr/sbin/postmulti"));
        cmd.addAll(Arrays.asList(args));
        return record(sb.runTty(cmd, env, Duration.ofMinutes(3)));
    }

    /** postmulti ARGS, failing with the whole transcript unless it exits 0. */
    public SandboxedPostfix.Result postmultiOk(String... args) {
        return postmultiOk(Map.of(), args);
    }

    /** The same with extra environment variables. */
    public SandboxedPostfix.Result postmultiOk(Map<String, String> env, String... args) {
        SandboxedPostfix.Result r = postmulti(env, args);
        if (!r.ok()) throw new IllegalStateException("step failed:\n" + r + "\n--- maillog\n" + tail(maillog(), 40));
        return r;
    }

    /** Plain {@code postfix ARGS} as an admin types it (default instance, so multi-instance aware). */
    public SandboxedPostfix.Result postfix(String... args) {
        List<String> cmd = new ArrayList<>(List.of("postfix"));
        cmd.addAll(Arrays.asList(args));
        return record(sb.runTty(cmd, Map.of(), Duration.ofMinutes(3)));
    }

    private SandboxedPostfix.Result record(SandboxedPostfix.Result r) {
        transcript.add(r);
        return r;
    }

    // ---- the walkthrough, step by step --------------------------------------

    /** Everything, in the walkthrough's order; returns the wall time of each step in ms. */
    public Map<String, Long> buildAll() throws IOException, InterruptedException {
        Map<String, Long> times = new LinkedHashMap<>();
        long t = System.nanoTime();
        startHub();
        setUpNullClient();
        times.put("null client", lap(t)); t = System.nanoTime();
        startNullClient();
        times.put("null client start", lap(t)); t = System.nanoTime();
        init();
        createOutput();
        configureOutput();
        times.put("postfix-out create+configure", lap(t)); t = System.nanoTime();
        enableAndStartOutput();
        times.put("postfix-out enable+start", lap(t)); t = System.nanoTime();
        startProxy();
        times.put("proxy start", lap(t)); t = System.nanoTime();
        createInput();
        configureInput();
        times.put("postfix-in create+configure", lap(t)); t = System.nanoTime();
        enableAndStartInput();
        times.put("postfix-in enable+start", lap(t));
        return times;
    }

    private static long lap(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** smtp-sink on 127.0.0.1:10027, named mailhub.example.com, capturing to ROOT/hub. */
    public void startHub() throws IOException, InterruptedException {
        hub = SmtpSink.start(sb, "127.0.0.1", HUB_PORT, sb.root().resolve("hub"), "-h", HUB_HOST);
    }

    /**
     * The primary as the walkthrough's null client (its main.cf, generic and
     * virtual tables), plus what the sandbox needs: explicit queue/data
     * directories, the shared maillog, hash instead of cdb (not built into
     * Debian's Postfix), relayhost = the hub on loopback, chroot off.
     */
    public void setUpNullClient() throws IOException {
        Map<String, String> m = sb.baseSettings("maillog", NULL_CLIENT_HOST, sb.primaryQueueDir(), sb.primaryDataDir());
        m.put("maillog_file", maillog().toString());
        m.put("mydomain", "example.com");
        m.put("myorigin", "$mydomain");
        m.put("master_service_disable", "inet");
        m.put("mydestination", "");
        m.put("local_transport", "error:5.1.1 Mailbox unavailable");
        m.put("alias_database", "");
        m.put("alias_maps", "");
        m.put("local_recipient_maps", "");
        m.put("relayhost", "[127.0.0.1]:" + HUB_PORT);
        m.put("default_database_type", "hash");
        m.put("indexed", "${default_database_type}:${config_directory}/");
        m.put("smtp_generic_maps", "${indexed}generic");
        m.put("virtual_alias_maps", "${indexed}virtual");
        SandboxedPostfix.writeMainCf(primary(), m);
        sb.installMasterCf(primary(), null);
        Files.writeString(primary().resolve("generic"), "root\tmtaadmin+root=mta1\n");
        Files.writeString(primary().resolve("virtual"), "root\tmtaadmin\npostmaster\troot\n");
        for (String table : List.of("generic", "virtual")) {
            record(sb.run("postmap", "-c", primary().toString(), "hash:" + primary().resolve(table))).orThrow();
        }
    }

    /** "postfix start" of the still single-instance null client. */
    public void startNullClient() {
        SandboxedPostfix.Result r = postfix("start");
        if (!r.ok()) throw new IllegalStateException(r + "\n" + tail(maillog(), 40));
    }

    /**
     * {@code postmulti -e init}. With our tool, through its own mechanism for another
     * wrapper: POSTMULTI_WRAPPER names the launcher ROOT/bin/postmulti (see
     * {@link E2ePostmulti}), so init writes {@code multi_instance_wrapper = ROOT/bin/postmulti -p --}
     * instead of the C program's {@code ${command_directory}/postmulti -p --}.
     */
    public void init() throws IOException {
        if (flavor == Flavor.OURS) {
            postmultiOk(ours.initEnvironment(), "-e", "init");
            String written = record(sb.postconf(primary(), "-h", "multi_instance_wrapper")).orThrow().stdout.trim();
            if (!written.equals(ours.wrapper())) {
                throw new IllegalStateException("postmulti -e init with POSTMULTI_WRAPPER=" + ours.wrapper()
                    + " wrote multi_instance_wrapper = " + written);
            }
        } else {
            postmultiOk("-e", "init");
        }
    }

    /** ROOT/bin/postmulti, the launcher for our tool (see {@link E2ePostmulti}). */
    public Path ourLauncher() throws IOException {
        return ours.launcher();
    }

    /** One line per call of the launcher ROOT/bin/postmulti (its arguments). */
    public Path wrapperLog() { return ours.wrapperLog(); }

    /** The launcher's calls so far, one string of arguments each. */
    public List<String> wrapperCalls() {
        return ours.wrapperCalls();
    }

    /** {@code postmulti -I postfix-out -G mta -e create} (explicit config_directory for the C program). */
    public void createOutput() {
        create("postfix-out");
    }

    public void createInput() {
        create("postfix-in");
    }

    private void create(String name) {
        if (flavor == Flavor.OURS) {
            postmultiOk("-I", name, "-G", "mta", "-e", "create");
        } else {
            postmultiOk("-I", name, "-G", "mta", "-e", "create", "config_directory=" + sb.configDir(name));
        }
    }

    /** The walkthrough's postfix-out main.cf/master.cf additions, via postmulti -x postconf. */
    public void configureOutput() {
        Map<String, String> m = sandboxSettings(OUT_HOST);
        m.put("inet_interfaces", "loopback-only");
        m.put("mynetworks_style", "host");
        m.put("smtpd_authorized_xforward_hosts", "$mynetworks");
        m.put("smtpd_client_connection_count_limit", "0");
        m.put("smtpd_client_event_limit_exceptions", "$mynetworks");
        m.put("smtp_bind_address", "0.0.0.0");
        m.put("local_header_rewrite_clients", "");
        m.put("mydestination", "");
        m.put("alias_maps", "");
        m.put("alias_database", "");
        m.put("local_recipient_maps", "");
        m.put("local_transport", "error:5.1.1 Mailbox unavailable");
        m.put("recipient_delimiter", "+");
        m.put("smtpd_relay_restrictions", "");
        m.put("smtpd_recipient_restrictions", "permit_mynetworks, reject");
        m.put("smtpd_timeout", "1200s");
        m.put("parent_domain_matches_subdomains", "");
        m.put("relay_domains", "example.com, .example.com");
        m.put("smtpd_client_port_logging", "no");
        m.put("relayhost", "[127.0.0.1]:" + HUB_PORT); // the internal mail hub
        postconfVia("postfix-out", m);
        // Replace the default "smtp inet" entry with one listening on port 10026.
        postmultiOk("-i", "postfix-out", "-x", "postconf", "-M",
            "smtp/inet=127.0.0.1:" + REINJECT_PORT + " inet n - n - - smtpd");
        postmultiOk("-i", "postfix-out", "-x", "postconf", "-F", "*/*/chroot = n");
    }

    /** The walkthrough's postfix-in settings (production values), via postmulti -x postconf. */
    public void configureInput() {
        Map<String, String> m = sandboxSettings(IN_HOST);
        m.put("inet_interfaces", "127.0.0.1");
        m.put("mydestination", "");
        m.put("alias_maps", "");
        m.put("alias_database", "");
        m.put("local_recipient_maps", "");
        m.put("local_transport", "error:5.1.1 Mailbox unavailable");
        m.put("local_header_rewrite_clients", "");
        m.put("default_transport", "smtp:[127.0.0.1]:" + FILTER_PORT);
        m.put("relay_transport", "$default_transport");
        m.put("virtual_transport", "$default_transport");
        m.put("transport_maps", "");
        m.put("smtp_send_xforward_command", "yes");
        m.put("smtp_destination_recipient_limit", "1000");
        m.put("smtp_data_done_timeout", "1200s");
        m.put("smtpd_client_port_logging", "no");
        // "... Lots of settings for inbound MX host ...": accept mail for example.com
        m.put("relay_domains", "example.com, .example.com");
        m.put("smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination");
        postconfVia("postfix-in", m);
        if (IN_PORT != 25) {
            postmultiOk("-i", "postfix-in", "-x", "postconf", "-M",
                "smtp/inet=127.0.0.1:" + IN_PORT + " inet n - n - - smtpd");
        }
        postmultiOk("-i", "postfix-in", "-x", "postconf", "-F", "*/*/chroot = n");
    }

    /** What every secondary needs in the sandbox besides the walkthrough's settings. */
    private Map<String, String> sandboxSettings(String myhostname) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("myhostname", myhostname);
        m.put("inet_protocols", "ipv4");
        m.put("maillog_file", maillog().toString());
        m.put("maillog_file_prefixes", sb.root().toString());
        m.put("smtp_dns_support_level", "disabled");
        m.put("compatibility_level", "3.6");
        return m;
    }

    private void postconfVia(String instance, Map<String, String> settings) {
        List<String> args = new ArrayList<>(List.of("-i", instance, "-x", "postconf", "-e"));
        settings.forEach((k, v) -> args.add(k + " = " + v));
        postmultiOk(args.toArray(new String[0]));
    }

    /** The walkthrough's lines 1-4 for postfix-out. */
    public void enableAndStartOutput() {
        enableAndStart("postfix-out");
    }

    public void enableAndStartInput() {
        enableAndStart("postfix-in");
    }

    private void enableAndStart(String name) {
        postmultiOk("-i", name, "-x", "postconf", "-e", "master_service_disable =", "authorized_submit_users = root");
        postmultiOk("-i", name, "-e", "enable");
        postmultiOk("-i", name, "-p", "start");
    }

    /** The content filter on 127.0.0.1:10025, re-injecting into 127.0.0.1:10026 (a child JVM inside the sandbox). */
    public void startProxy() throws IOException, InterruptedException {
        Path ready = sb.root().resolve("proxy.ready");
        Files.deleteIfExists(ready);
        proxy = sb.spawnJava("ContentFilterProxy", List.of("--listen", "127.0.0.1:" + FILTER_PORT,
            "--downstream", "127.0.0.1:" + REINJECT_PORT, "--ready-file", ready.toString()),
            sb.logDir().resolve("proxy.log"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(ready)) {
            if (!proxy.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("content filter did not start: "
                    + SandboxedPostfix.readLog(sb.logDir().resolve("proxy.log")));
            }
            Thread.sleep(20);
        }
    }

    public void stopProxy() throws InterruptedException {
        if (proxy == null) return;
        proxy.destroy();
        if (!proxy.waitFor(10, TimeUnit.SECONDS)) proxy.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        proxy = null;
    }

    // ---- mail ---------------------------------------------------------------

    /** smtp-source arguments sending N messages into postfix-in from client.example.net. */
    public List<String> smtpSourceCommand(int messages, int sessions, int bodyBytes) {
        return List.of("smtp-source", "-m", Integer.toString(messages), "-s", Integer.toString(sessions),
            "-l", Integer.toString(bodyBytes), "-M", "client.example.net", "-f", "sender@example.net",
            "-t", "rcpt@example.com", "127.0.0.1:" + IN_PORT);
    }

    public SandboxedPostfix.Result smtpSource(int messages, int sessions, int bodyBytes, Duration timeout) {
        return record(sb.run(smtpSourceCommand(messages, sessions, bodyBytes), Map.of(), null, timeout));
    }

    /** smtp-source in the background (for the fault test); output in ROOT/log/smtp-source.log. */
    public Process smtpSourceAsync(int messages, int sessions, int bodyBytes) throws IOException {
        return sb.spawn(smtpSourceCommand(messages, sessions, bodyBytes), sb.logDir().resolve("smtp-source.log"));
    }

    /** The walkthrough's null-client test message: sendmail -i -f root -t, From: root, To: root. */
    public SandboxedPostfix.Result sendmailAsRoot(String subject) {
        return record(sb.run(List.of("sendmail", "-i", "-f", "root", "-t"), Map.of(),
            "From: root\nTo: root\nSubject: " + subject + "\n\ntesting\n", Duration.ofMinutes(1)));
    }

    /** Waits until the three queues are empty. */
    public boolean awaitQueuesEmpty(Duration timeout) throws InterruptedException {
        return SandboxedPostfix.awaitQueuesEmpty(timeout, sb.primaryQueueDir(), sb.queueDir("postfix-out"),
            sb.queueDir("postfix-in"));
    }

    // ---- logs ---------------------------------------------------------------

    public String maillogText() {
        return SandboxedPostfix.readLog(maillog());
    }

    /** Maillog lines matching a regular expression (find, not full match), in order. */
    public List<String> maillogLines(String regex) {
        Pattern p = Pattern.compile(regex);
        return maillogText().lines().filter(l -> p.matcher(l).find()).collect(Collectors.toList());
    }

    public static String tail(Path file, int lines) {
        List<String> all = SandboxedPostfix.readLog(file).lines().collect(Collectors.toList());
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    // ---- teardown -----------------------------------------------------------

    /** Stops Postfix (all instances, via "postfix stop"), the proxy and the hub. The sandbox cleans up the rest. */
    @Override
    public void close() throws InterruptedException {
        try {
            postfix("stop");
        } catch (RuntimeException e) {
            // the sandbox's close() kills whatever is left
        }
        stopProxy();
        if (hub != null) hub.close();
    }
}
