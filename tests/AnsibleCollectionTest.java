import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15: the Ansible collection postmulti.postfix, run by the real ansible-playbook
 * (Debian's ansible-core) as root against two inventory hosts on this machine
 * (connection local), inside a {@link SandboxedPostfix}: host "alpha" is the sandbox
 * primary (ROOT/etc/postfix), host "beta" a second primary tree (ROOT/beta/etc/postfix),
 * each with its queue and data directories inside ROOT. Postmulti is our tool, given to
 * the module as a command of several words (java, its options, the class path, the class).
 *
 * <p>The methods run in order on one sandbox, four playbook runs in all (ansible starts
 * slowly): the collection's example playbook (the border MTA of MULTI_INSTANCE_README)
 * converges both hosts and reports changes with the new values in its diff; run again it
 * reports changed=0; in check mode with another mail hub it reports the change, shows it
 * and writes nothing; then one play removes an enabled, running instance and fails, with
 * the tool's fatal line as its message, on an unsafe name and a missing primary, and
 * instances_info lists what is left of group mta.
 * Skipped (with the reason) without root, Postfix, namespaces or ansible-playbook.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class AnsibleCollectionTest {

    static final String COLLECTION = "ansible/ansible_collections/postmulti/postfix";
    static final Pattern RECAP = Pattern.compile(
            "^(\\S+)\\s*: ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)\\s+skipped=\\d+\\s+rescued=\\d+\\s+ignored=(\\d+)",
            Pattern.MULTILINE);

    SandboxedPostfix sb;
    Path checkout;
    Path beta;
    Path inventory;
    Path ansibleCfg;

    record Recap(int changed, int failed, int ignored) {
    }

    // ---- set-up -------------------------------------------------------------

    @BeforeAll
    void twoPrimaryTrees() throws IOException {
        Optional<String> why = SandboxedPostfix.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "sandbox unavailable: " + why.orElse(""));
        assumeTrue(SandboxedPostfix.which("ansible-playbook").isPresent(),
                "needs ansible-playbook (apt-get install ansible-core)");
        checkout = findCheckout();
        sb = SandboxedPostfix.create();
        System.out.println("AnsibleCollectionTest: sandbox " + sb.root());

        SandboxedPostfix.writeMainCf(sb.primaryConfigDir(), sb.primarySettings("alpha.example.test"));
        sb.installMasterCf(sb.primaryConfigDir(), null);
        beta = sb.root().resolve("beta");
        Files.createDirectories(beta.resolve("spool/postfix"));
        Files.createDirectories(beta.resolve("log"));
        SandboxedPostfix.makeDataDirectory(beta.resolve("lib/postfix"));
        SandboxedPostfix.writeMainCf(betaPrimary(), sb.baseSettings("beta", "beta.example.test",
                beta.resolve("spool/postfix"), beta.resolve("lib/postfix")));
        sb.installMasterCf(betaPrimary(), null);
        inventory = writeInventory();
        ansibleCfg = Files.writeString(sb.root().resolve("ansible.cfg"), "# none of this host's ansible settings\n");
    }

    @AfterAll
    void removeSandbox() {
        if (sb != null) sb.close();
    }

    static Path findCheckout() {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(COLLECTION).resolve("galaxy.yml"))) return dir;
        }
        assumeTrue(false, "the collection (" + COLLECTION + ") is not above the current directory");
        return null;
    }

    Path betaPrimary() {
        return beta.resolve("etc/postfix");
    }

    /**
     * Two hosts, each its own primary; per host, settings that keep the sandbox's instances
     * on loopback and their logs inside ROOT (merged over the example's by its site_settings).
     */
    Path writeInventory() throws IOException {
        String postmulti = new E2ePostmulti(sb).commandNoConfig().stream()
                .map(SandboxedPostfix::shellQuote).collect(Collectors.joining(" "));
        String json = "{\"all\": {\"vars\": {\"ansible_connection\": \"local\", "
                + "\"ansible_python_interpreter\": \"/usr/bin/python3\", \"postmulti_command\": " + quote(postmulti) + "},\n"
                + " \"hosts\": {\n"
                + "  \"alpha\": " + hostVars(sb.primaryConfigDir(), sb.root()) + ",\n"
                + "  \"beta\": " + hostVars(betaPrimary(), beta) + "}}}\n";
        Path file = sb.root().resolve("inventory.json");
        Files.writeString(file, json);
        return file;
    }

    String hostVars(Path primary, Path tree) {
        StringBuilder sites = new StringBuilder();
        for (String name : List.of("postfix-out", "postfix-in")) {
            Map<String, String> settings = new TreeMap<>(sb.baseSettings(name, name + ".example.test",
                    tree.resolve("spool").resolve(name), tree.resolve("lib").resolve(name)));
            settings.put("maillog_file", tree.resolve("log").resolve(name + ".log").toString());
            settings.remove("compatibility_level");
            sites.append(sites.length() == 0 ? "" : ", ").append(quote(name)).append(": ").append(object(settings));
        }
        return "{\"postfix_primary\": " + quote(primary.toString()) + ", \"site_settings\": {" + sites + "}}";
    }

    static String object(Map<String, String> map) {
        return map.entrySet().stream().map(e -> quote(e.getKey()) + ": " + quote(e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    static String quote(String s) {
        return "\"" + Json.quote(s) + "\"";
    }

    // ---- the runs -----------------------------------------------------------

    @Test
    @Order(1)
    void firstRunConvergesBothHostsAndShowsTheNewValues() throws IOException {
        SandboxedPostfix.Result run = playbook(example(), "--diff");
        assertEquals(0, run.exitCode, run::toString);
        Map<String, Recap> recap = recap(run);
        assertTrue(recap.get("alpha").changed() > 0 && recap.get("beta").changed() > 0, run::toString);
        for (String shown : List.of("+multi_instance_enable = yes", "+relayhost = [mailhub.example.com]",
                "+default_transport = smtp:[127.0.0.1]:10025", "+multi_instance_directories = " + betaPrimary() + "-out")) {
            assertTrue(run.stdout.contains(shown), () -> "the diff lacks " + shown + "\n" + run);
        }
        for (Path primary : List.of(sb.primaryConfigDir(), betaPrimary())) {
            assertEquals(List.of("-               -               y         " + primary,
                            "postfix-out     mta             y         " + primary + "-out",
                            "postfix-in      mta             y         " + primary + "-in"),
                    list(primary), "postmulti -l of " + primary);
            assertEquals("[mailhub.example.com]", postconf(primary, "relayhost"));
            assertEquals("smtp:[127.0.0.1]:10025", postconf(Paths.get(primary + "-in"), "default_transport"));
            assertEquals("", postconf(Paths.get(primary + "-in"), "master_service_disable"));
        }
    }

    @Test
    @Order(2)
    void secondRunChangesNothing() {
        SandboxedPostfix.Result run = playbook(example());
        assertEquals(0, run.exitCode, run::toString);
        assertEquals(Map.of("alpha", 0, "beta", 0), changedPerHost(run), run::toString);
    }

    @Test
    @Order(3)
    void checkModeReportsAndShowsTheChangeAndWritesNothing() {
        Map<String, String> before = snapshot();
        SandboxedPostfix.Result run = playbook(example(), "--check", "--diff", "-e", "mail_hub=hub2.example.test");
        assertEquals(0, run.exitCode, run::toString);
        assertEquals(Map.of("alpha", 1, "beta", 1), changedPerHost(run), run::toString);
        assertTrue(run.stdout.contains("-relayhost = [mailhub.example.com]\n+relayhost = [hub2.example.test]\n"), run::toString);
        Map<String, String> after = snapshot();
        List<String> changed = Stream.concat(before.keySet().stream(), after.keySet().stream()).distinct()
                .filter(path -> !Objects.equals(before.get(path), after.get(path))).sorted().collect(Collectors.toList());
        assertEquals(List.of(), changed, "check mode changed these files or directories");
    }

    @Test
    @Order(4)
    void absentRemovesARunningInstanceAndWrongInputFailsWithTheToolsMessage() throws IOException {
        Path in = sb.configDir("postfix-in");
        sb.installMasterCf(in, null);  // no listeners, daemons not chrooted: it runs inside the sandbox
        sb.postfix(in, "start").orThrow();
        long master = masterPid(sb.queueDir("postfix-in"));
        assertTrue(ProcessHandle.of(master).map(ProcessHandle::isAlive).orElse(false), "postfix-in's master runs");

        SandboxedPostfix.Result run = playbook(writeAbsentPlay());
        assertEquals(0, run.exitCode, run::toString);
        Recap alpha = recap(run).get("alpha");
        assertEquals(List.of(1, 0, 2), List.of(alpha.changed(), alpha.failed(), alpha.ignored()), run::toString);
        assertTrue(run.stdout.contains("All assertions passed"), () -> "instances_info lists group mta as postfix-out alone\n" + run);
        assertFalse(ProcessHandle.of(master).map(ProcessHandle::isAlive).orElse(false), "postfix-in's master stopped");
        assertFalse(Files.exists(in.resolve("main.cf")), "postfix-in's main.cf removed");
        assertEquals(2, list(sb.primaryConfigDir()).size(), "postfix-in unregistered: " + list(sb.primaryConfigDir()));
        assertTrue(run.stdout.contains("\"msg\": \"postmulti: fatal: Unsafe characters in new instance name: 'postfix-a;b'\""), run::toString);
        assertTrue(run.stdout.contains("\"msg\": \"postmulti: fatal: open " + sb.root() + "/missing/main.cf: No such file or directory\""),
                run::toString);
        assertFalse(run.stdout.contains("Traceback") || run.stdout.contains("MODULE FAILURE"), run::toString);
    }

    Path writeAbsentPlay() throws IOException {
        String common = "        primary: \"{{ postfix_primary }}\"\n        postmulti: \"{{ postmulti_command }}\"\n";
        String play = "- hosts: alpha\n  gather_facts: false\n  tasks:\n"
                + "    - postmulti.postfix.instance:\n        name: postfix-in\n        state: absent\n" + common
                + "    - postmulti.postfix.instance:\n        name: \"postfix-a;b\"\n" + common
                + "      ignore_errors: true\n"
                + "    - postmulti.postfix.instance:\n        name: postfix-x\n        primary: " + sb.root() + "/missing\n"
                + "        postmulti: \"{{ postmulti_command }}\"\n      ignore_errors: true\n"
                + "    - postmulti.postfix.instances_info:\n        group: mta\n" + common + "      register: mta\n"
                + "    - assert:\n        that: mta.instances | map(attribute='name') | list == ['postfix-out']\n";
        Path file = sb.root().resolve("absent.yml");
        Files.writeString(file, play);
        return file;
    }

    // ---- helpers ------------------------------------------------------------

    Path example() {
        return checkout.resolve(COLLECTION).resolve("playbooks/border-mta.yml");
    }

    /** ansible-playbook inside the sandbox, as from cron: a clean environment, HOME and temp in ROOT. */
    SandboxedPostfix.Result playbook(Path playbook, String... options) {
        Path home = sb.root().resolve("home");
        List<String> command = new ArrayList<>(List.of("env", "-i", "PATH=/usr/bin:/bin:/usr/sbin:/sbin",
                "HOME=" + home, "LANG=C.UTF-8", "ANSIBLE_COLLECTIONS_PATH=" + checkout.resolve("ansible"),
                "ANSIBLE_LOCAL_TEMP=" + home.resolve("tmp"), "ANSIBLE_REMOTE_TEMP=" + home.resolve("tmp"),
                "ANSIBLE_NOCOLOR=1", "ANSIBLE_RETRY_FILES_ENABLED=0", "ANSIBLE_CONFIG=" + ansibleCfg,
                "ansible-playbook", "-i", inventory.toString(), playbook.toString()));
        command.addAll(List.of(options));
        long t0 = System.nanoTime();
        SandboxedPostfix.Result run = sb.run(command, Map.of(), null, Duration.ofMinutes(7));
        System.out.printf("AnsibleCollectionTest: %s %s: %d s%n", playbook.getFileName(), String.join(" ", options),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
        return run;
    }

    static Map<String, Recap> recap(SandboxedPostfix.Result run) {
        Map<String, Recap> hosts = new TreeMap<>();
        Matcher m = RECAP.matcher(run.stdout.substring(Math.max(0, run.stdout.lastIndexOf("PLAY RECAP"))));
        while (m.find()) {
            hosts.put(m.group(1), new Recap(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(5)),
                    Integer.parseInt(m.group(6))));
        }
        return hosts;
    }

    static Map<String, Integer> changedPerHost(SandboxedPostfix.Result run) {
        return recap(run).entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().changed()));
    }

    List<String> list(Path primary) {
        List<String> command = new ArrayList<>(new E2ePostmulti(sb).commandNoConfig());
        command.addAll(List.of("-c", primary.toString(), "-l"));
        SandboxedPostfix.Result r = sb.run(command).orThrow();
        return r.stdout.lines().collect(Collectors.toList());
    }

    String postconf(Path configDirectory, String name) {
        return sb.postconf(configDirectory, "-h", name).orThrow().stdout.strip();
    }

    static long masterPid(Path queueDirectory) throws IOException {
        return Long.parseLong(Files.readString(queueDirectory.resolve("pid/master.pid")).strip());
    }

    /** Every file and directory of both trees (config, queue, data), with each file's content. */
    Map<String, String> snapshot() {
        Map<String, String> files = new TreeMap<>();
        for (Path top : List.of(sb.root().resolve("etc"), sb.root().resolve("spool"), sb.root().resolve("lib"), beta)) {
            try (Stream<Path> walk = Files.walk(top)) {
                for (Path p : walk.collect(Collectors.toList())) {
                    files.put(p.toString(), Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "(dir)");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }
}
