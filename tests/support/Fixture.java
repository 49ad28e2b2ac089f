import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throwaway multi-instance tree: a primary configuration directory whose main.cf points its
 * private directories into the tree. Where Postfix is installed the shared directories are the
 * real ones, so that the real C postmulti (which runs $command_directory/postconf) works on the
 * same tree; elsewhere they are empty directories inside the tree.
 */
final class Fixture implements AutoCloseable {
    static final boolean POSTFIX_INSTALLED = Files.isExecutable(Path.of("/usr/sbin/postconf"));
    final Path root;
    final Path primary;

    private Fixture(Path root) {
        this.root = root;
        this.primary = root.resolve("etc/postfix");
    }

    /** A tree whose primary main.cf holds the shared and private directories plus {@code settings}. */
    static Fixture create(String settings) {
        try {
            Fixture fixture = new Fixture(Files.createTempDirectory("postmulti-fixture"));
            Files.createDirectories(fixture.primary);
            fixture.writePrimary(settings);
            return fixture;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites the primary main.cf: the base settings that {@code settings} does not override, then those. */
    Fixture writePrimary(String settings) {
        StringBuilder text = new StringBuilder();
        for (String line : baseSettings().split("\n")) {
            String name = line.substring(0, line.indexOf(' '));
            if (!settings.startsWith(name + " ") && !settings.contains("\n" + name + " ")) text.append(line).append('\n');
        }
        TestFiles.write(primary.resolve("main.cf"), text + settings);
        return this;
    }

    String baseSettings() {
        return sharedDirectories()
                + "queue_directory = " + root.resolve("var/spool/postfix") + "\n"
                + "data_directory = " + root.resolve("var/lib/postfix") + "\n";
    }

    private String sharedDirectories() {
        if (POSTFIX_INSTALLED) {
            return "command_directory = /usr/sbin\ndaemon_directory = /usr/lib/postfix/sbin\n"
                    + "shlib_directory = /usr/lib/postfix\nmeta_directory = /etc/postfix\n";
        }
        return "command_directory = " + mkdirs("usr/sbin") + "\n"
                + "daemon_directory = " + mkdirs("usr/lib/postfix/sbin") + "\n"
                + "shlib_directory = " + mkdirs("usr/lib/postfix") + "\n"
                + "meta_directory = " + primary + "\n";
    }

    /** A secondary configuration directory {@code etc/<name>} with the given main.cf text (and an empty master.cf). */
    Path secondary(String directoryName, String mainCf) {
        Path dir = root.resolve("etc").resolve(directoryName);
        TestFiles.write(dir.resolve("main.cf"), mainCf);
        TestFiles.write(dir.resolve("master.cf"), "");
        return dir;
    }

    /** A typical secondary: private directories inside the tree, optional name and group, enable flag. */
    Path secondary(String directoryName, String name, String group, boolean enabled) {
        StringBuilder text = new StringBuilder()
                .append("queue_directory = ").append(root.resolve("var/spool/" + directoryName)).append('\n')
                .append("data_directory = ").append(root.resolve("var/lib/" + directoryName)).append('\n')
                .append("multi_instance_enable = ").append(enabled ? "yes" : "no").append('\n');
        if (name != null) text.append("multi_instance_name = ").append(name).append('\n');
        if (group != null) text.append("multi_instance_group = ").append(group).append('\n');
        return secondary(directoryName, text.toString());
    }

    Path mkdirs(String relative) {
        try {
            return Files.createDirectories(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Our tool with this tree as primary: {@code -c <primary> args...}. */
    Tool.Result ours(String... args) {
        return Tool.run(Tool.withConfigDirectory(primary, args));
    }

    /** Our tool in this JVM (quicker, and seen by bench/mutation.sh): {@code -c <primary> args...}. */
    Tool.Result inProcess(String... args) {
        FixtureTree.Run run = InProcess.run(Tool.withConfigDirectory(primary, args));
        return new Tool.Result(run.status(), run.out(), run.err());
    }

    /** The real C postmulti with this tree bound on /etc/postfix. */
    Tool.Result real(String... args) {
        return RealPostmulti.run(primary, args);
    }

    /** Removes the test's own temporary tree (tests may delete what they made). */
    @Override
    public void close() {
        TestFiles.deleteTree(root);
    }
}
