import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A throwaway tree for life-cycle tests, used with {@code -c}: a primary configuration directory
 * {@code etc/postfix} whose main.cf points queue_directory, data_directory, command_directory,
 * daemon_directory, meta_directory and shlib_directory at directories inside the tree, and a
 * meta directory holding copies of the installed main.cf.proto and master.cf.proto (Debian keeps
 * them in /etc/postfix; a built-in stand-in is used where Postfix is not installed).
 *
 * <p>The command directory holds a fake {@code postfix} (a shell script) that logs each call
 * (arguments, MAIL_CONFIG, the exported directories) to {@code postfix.log} at the tree's root,
 * answers {@code status} with 0 when the instance's config directory is listed in
 * {@code running} at the root, and {@code set-permissions} with the number in
 * {@code set-permissions.status} (default 0) after making the queue subdirectories, as the real
 * one would, and after sleeping the seconds in {@code set-permissions.sleep} if that exists. {@link #withoutPostfix()} removes it.
 */
final class FixtureTree implements AutoCloseable {
    static final List<String> PROTO_PLACES = List.of("/etc/postfix", "/usr/share/postfix");
    final Path root;
    final Path primary;

    private FixtureTree(Path root) {
        this.root = root;
        this.primary = root.resolve("etc/postfix");
    }

    /** A fresh tree, not yet initialized for multi-instance use; {@code extra} is appended to the primary main.cf. */
    static FixtureTree create(String extra) {
        try {
            FixtureTree tree = new FixtureTree(Files.createTempDirectory("postmulti-lifecycle").toRealPath());
            for (String dir : List.of("etc/postfix", "var/spool/postfix", "var/lib/postfix", "usr/sbin",
                    "usr/libexec/postfix", "usr/share/postfix", "usr/lib/postfix")) {
                Files.createDirectories(tree.root.resolve(dir));
            }
            tree.copyProtos();
            tree.writePrimary(extra);
            tree.installFakePostfix();
            return tree;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tree after {@code -e init} (the two settings written by hand). */
    static FixtureTree initialized(String extra) {
        return create("multi_instance_wrapper = ${command_directory}/postmulti -p --\nmulti_instance_enable = yes\n" + extra);
    }

    String baseSettings() {
        return "# primary of a test tree\n"
                + "queue_directory = " + path("var/spool/postfix") + "\n"
                + "data_directory = " + path("var/lib/postfix") + "\n"
                + "command_directory = " + path("usr/sbin") + "\n"
                + "daemon_directory = " + path("usr/libexec/postfix") + "\n"
                + "meta_directory = " + path("usr/share/postfix") + "\n"
                + "shlib_directory = " + path("usr/lib/postfix") + "\n";
    }

    FixtureTree writePrimary(String extra) {
        TestFiles.write(primary.resolve("main.cf"), baseSettings() + extra);
        return this;
    }

    FixtureTree appendPrimary(String text) {
        TestFiles.write(primary.resolve("main.cf"), TestFiles.read(primary.resolve("main.cf")) + text);
        return this;
    }

    String path(String relative) {
        return root.resolve(relative).toString();
    }

    String etc(String name) {
        return path("etc/" + name);
    }

    String spool(String name) {
        return path("var/spool/" + name);
    }

    String lib(String name) {
        return path("var/lib/" + name);
    }

    Path meta() {
        return root.resolve("usr/share/postfix");
    }

    private void copyProtos() throws IOException {
        for (String name : List.of("main.cf.proto", "master.cf.proto")) {
            Path target = meta().resolve(name);
            Path source = installedProto(name);
            if (source != null) Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            else TestFiles.write(target, name.startsWith("main") ? STAND_IN_MAIN : STAND_IN_MASTER);
        }
    }

    static Path installedProto(String name) {
        for (String place : PROTO_PLACES) {
            Path candidate = Path.of(place, name);
            if (Files.isRegularFile(candidate)) return candidate;
        }
        return null;
    }

    private static final String STAND_IN_MAIN = "# stand-in main.cf.proto\ncompatibility_level = 3.7\n"
            + "command_directory = /usr/sbin\ndaemon_directory = /usr/lib/postfix/sbin\n"
            + "data_directory = /var/lib/postfix\nmail_owner = postfix\nsendmail_path =\nnewaliases_path =\n"
            + "mailq_path =\nsetgid_group =\nhtml_directory =\nmanpage_directory =\nsample_directory =\n"
            + "readme_directory =\ninet_protocols = ipv4\n";
    private static final String STAND_IN_MASTER = "# stand-in master.cf.proto\n"
            + "smtp      inet  n       -       y       -       -       smtpd\n"
            + "pickup    unix  n       -       y       60      1       pickup\n";

    /** The fake postfix command (see the class comment). */
    void installFakePostfix() {
        Path postfix = root.resolve("usr/sbin/postfix");
        String script = "#!/bin/sh\n"
                + "root='" + root + "'\n"
                + "echo \"$* | MAIL_CONFIG=$MAIL_CONFIG config_directory=$config_directory queue_directory=$queue_directory"
                + " data_directory=$data_directory PATH=${PATH%%:*}\" >> \"$root/postfix.log\"\n"
                + "dir=$2\n"
                + "case \"$3\" in\n"
                + "status) grep -qxF \"$dir\" \"$root/running\" 2>/dev/null && exit 0; exit 1;;\n"
                + "set-permissions)\n"
                + "  q=`sed -n 's/^queue_directory = //p' \"$dir/main.cf\" | tail -1`\n"
                + "  for s in active bounce corrupt defer deferred flush hold incoming maildrop pid private public saved trace; do\n"
                + "    mkdir -p \"$q/$s\" || exit 1\n"
                + "  done\n"
                + "  test -f \"$root/set-permissions.sleep\" && sleep `cat \"$root/set-permissions.sleep\"`\n"
                + "  test -f \"$root/set-permissions.status\" && exit `cat \"$root/set-permissions.status\"`\n"
                + "  exit 0;;\n"
                + "esac\n"
                + "exit 0\n";
        TestFiles.write(postfix, script);
        try {
            Files.setPosixFilePermissions(postfix, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    FixtureTree withoutPostfix() {
        try {
            Files.deleteIfExists(root.resolve("usr/sbin/postfix"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Marks an instance as running for the fake {@code postfix status}. */
    void running(String configDirectory) {
        TestFiles.write(root.resolve("running"), configDirectory + "\n");
    }

    void setPermissionsStatus(int status) {
        TestFiles.write(root.resolve("set-permissions.status"), status + "\n");
    }

    void setPermissionsSleep(int seconds) {
        TestFiles.write(root.resolve("set-permissions.sleep"), seconds + "\n");
    }

    List<String> postfixLog() {
        Path log = root.resolve("postfix.log");
        if (!Files.exists(log)) return List.of();
        return TestFiles.read(log).lines().toList();
    }

    /** A secondary made by hand: etc/NAME with main.cf (and master.cf), its directories inside the tree. */
    String secondary(String dirName, String name, String group, boolean enabled, String extra) {
        StringBuilder text = new StringBuilder()
                .append("queue_directory = ").append(spool(dirName)).append('\n')
                .append("data_directory = ").append(lib(dirName)).append('\n')
                .append("multi_instance_enable = ").append(enabled ? "yes" : "no").append('\n');
        if (name != null) text.append("multi_instance_name = ").append(name).append('\n');
        if (group != null) text.append("multi_instance_group = ").append(group).append('\n');
        text.append(extra);
        TestFiles.write(root.resolve("etc").resolve(dirName).resolve("main.cf"), text.toString());
        TestFiles.write(root.resolve("etc").resolve(dirName).resolve("master.cf"), "# master.cf of " + dirName + "\n");
        return etc(dirName);
    }

    // ----------------------------------------------------------------- running our tool

    record Run(int status, String out, String err) {
        String both() {
            return out + err;
        }
    }

    /** Our tool in this JVM (fast): {@code -c <primary> args...}; children of it share the runner's stdio. */
    Run run(String... args) {
        return run(Map.of(), args);
    }

    Run run(Map<String, String> extraEnvironment, String... args) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.remove("MAIL_CONFIG");
        environment.putAll(extraEnvironment);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.ISO_8859_1);
        Msg.redirect(errStream);
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.ISO_8859_1)) {
            int status = new postmulti().run(withPrimary(args), environment, outStream);
            outStream.flush();
            return new Run(status, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
        } finally {
            Msg.redirect(System.err);
        }
    }

    /** Our tool as a separate JVM, as an admin runs it. */
    Tool.Result ours(String... args) {
        return Tool.run(withPrimary(args));
    }

    Tool.Result ours(Map<String, String> environment, String... args) {
        return Tool.run(environment, null, withPrimary(args));
    }

    String[] withPrimary(String... args) {
        return Tool.withConfigDirectory(primary, args);
    }

    // ----------------------------------------------------------------- looking at the tree

    /** Every entry under the root, relative, with its type, mode and content (files) or target (links). */
    Map<String, String> snapshot() {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.forEach(p -> entries.put(root.relativize(p).toString(), describe(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    static String describe(Path p) {
        try {
            Map<String, Object> attributes = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
            String mode = String.format("%06o %s:%s", (Integer) attributes.get("mode"), attributes.get("uid"), attributes.get("gid"));
            if (Files.isSymbolicLink(p)) return mode + " -> " + Files.readSymbolicLink(p);
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return mode;
            return mode + " " + Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String mainCf(String configDirectory) {
        return TestFiles.read(Path.of(configDirectory, "main.cf"));
    }

    String primaryMainCf() {
        return TestFiles.read(primary.resolve("main.cf"));
    }

    /** The value of the last definition of a parameter in a main.cf text (continuation lines joined), or null. */
    static String setting(String mainCf, String name) {
        String value = null;
        StringBuilder current = null;
        List<String> logical = new ArrayList<>();
        for (String line : mainCf.split("\n", -1)) {
            if (line.isBlank() || line.stripLeading().startsWith("#")) continue;
            if (Character.isWhitespace(line.charAt(0)) && current != null) {
                current.append(line);
                continue;
            }
            if (current != null) logical.add(current.toString());
            current = new StringBuilder(line);
        }
        if (current != null) logical.add(current.toString());
        for (String line : logical) {
            int equals = line.indexOf('=');
            if (equals > 0 && line.substring(0, equals).strip().equals(name)) value = line.substring(equals + 1).strip();
        }
        return value;
    }

    /** Instance list as the tool prints it with -l. */
    List<String> list() {
        Run run = run("-l");
        if (run.status() != 0) throw new AssertionError("-l failed: " + run.err());
        return run.out().lines().toList();
    }

    Map<String, String> settings(String configDirectory, String... names) {
        Map<String, String> values = new LinkedHashMap<>();
        String text = mainCf(configDirectory);
        for (String name : names) values.put(name, setting(text, name));
        return values;
    }

    @Override
    public void close() {
        TestFiles.deleteTree(root);
    }
}
