import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Our tool as an unprivileged user ({@code nobody}), the way a monitoring agent runs it. The
 * test runner's class path lives under root's home, which nobody cannot enter, so its entries
 * are copied once into a world-readable temporary directory.
 */
final class AsNobody {
    private static Path copiedClassPath;

    private AsNobody() {
    }

    /** Why we cannot run as nobody here, or null: root is needed to change user. */
    static String unavailableReason() {
        if (!SandboxedPostfix.isRoot()) return "needs root to run the tool as nobody";
        if (SandboxedPostfix.which("setpriv").isEmpty()) return "needs setpriv (util-linux)";
        return null;
    }

    /** {@code setpriv ... java ... postmulti args...} as nobody, with no supplementary groups. */
    static List<String> command(List<String> javaOptions, String... args) {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(javaOptions);
        command.addAll(List.of("-cp", classPath(), "postmulti"));
        command.addAll(List.of(args));
        return command;
    }

    private static synchronized String classPath() {
        try {
            if (copiedClassPath == null) {
                copiedClassPath = Files.createTempDirectory("pm-nobody-cp");
                Files.setPosixFilePermissions(copiedClassPath, PosixFilePermissions.fromString("rwxr-xr-x"));
                Path made = copiedClassPath;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> TestFiles.deleteTree(made)));
            }
            List<String> entries = new ArrayList<>();
            int index = 0;
            for (String entry : System.getProperty("java.class.path").split(":")) {
                Path copy = copiedClassPath.resolve(index++ + "-" + Path.of(entry).getFileName());
                if (!Files.exists(copy)) copyReadable(Path.of(entry), copy);
                entries.add(copy.toString());
            }
            return String.join(":", entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyReadable(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.copy(from, to);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
            return;
        }
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path each : tree.collect(Collectors.toList())) {
                Path target = to.resolve(from.relativize(each).toString());
                if (Files.isDirectory(each)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.copy(each, target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }
}
