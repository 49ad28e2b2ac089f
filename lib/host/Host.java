import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The file system the tool works on, and the boundary between our byte strings and the OS.
 * Inside the tool every path and value is a byte string (one char per byte, ISO-8859-1), so that
 * any byte survives; here such a string becomes a real {@link Path}.
 *
 * <p>With {@code --root DIR} (an offline tree: a container image, a checked-out configuration
 * repository) the paths the tool works with stay those of the target host, as main.cf holds
 * them, and only here are they taken under DIR, like {@code systemctl --root}: {@code ..} stops
 * at DIR, and symbolic links on the way are followed inside DIR (an absolute target starts again
 * at DIR), so that an image's {@code /var/spool -> /srv/spool} never leads to this host's /srv.
 * The last component is left as it is, because callers decide whether to follow it (destroy
 * never does).
 */
final class Host {
    private static final Charset FILE_NAMES = fileNameCharset();
    /** Linux's limit on symbolic links in one lookup (ELOOP). */
    private static final int MAX_LINKS = 40;
    private final Path root;

    /** The charset the JVM uses for file names, argv and the environment. */
    private static Charset fileNameCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException unknown) {
            return StandardCharsets.UTF_8;
        }
    }

    private Host(Path root) {
        this.root = root;
    }

    static Host live() {
        return new Host(null);
    }

    /** The target host's file system as a tree under {@code root} (an existing directory). */
    static Host under(String root) {
        Path directory;
        try {
            directory = Path.of(toOs(root)).toAbsolutePath().toRealPath();
        } catch (IOException e) {
            throw new Fatal("--root " + root + ": " + Errno.text(e));
        }
        if (!Files.isDirectory(directory)) throw new Fatal("--root " + root + ": Not a directory");
        return new Host(directory);
    }

    /** Whether this is an offline tree (--root) rather than the running host. */
    boolean offline() {
        return root != null;
    }

    /** The tree's directory as a byte string (--root), or null on the running host. */
    String root() {
        return root == null ? null : fromOs(root.toString());
    }

    /** The real path of an absolute host path (a byte string). */
    Path path(String hostPath) {
        String name = toOs(hostPath);
        return root == null ? Path.of(name) : insideRoot(name);
    }

    /**
     * Where a host path really leads, every symbolic link followed (inside the tree with
     * --root, the last component too); null when it does not exist.
     */
    Path resolved(String hostPath) {
        String name = toOs(hostPath);
        try {
            return (root == null ? Path.of(name) : insideRoot(name + "/.")).toRealPath();
        } catch (IOException e) {
            return null;
        }
    }

    private Path insideRoot(String name) {
        Deque<String> pending = new ArrayDeque<>(List.of(name.split("/")));
        Path current = root;
        int links = 0;
        while (!pending.isEmpty()) {
            String component = pending.pop();
            if (component.isEmpty() || component.equals(".")) continue;
            if (component.equals("..")) {
                if (!current.equals(root)) current = current.getParent();
                continue;
            }
            Path next = current.resolve(component);
            if (pending.isEmpty() || !Files.isSymbolicLink(next) || ++links > MAX_LINKS) {
                current = next;
                continue;
            }
            String target = linkTarget(next);
            if (target == null) {
                current = next;
                continue;
            }
            if (target.startsWith("/")) current = root;
            List<String> parts = List.of(target.split("/"));
            for (int i = parts.size() - 1; i >= 0; i--) pending.push(parts.get(i));
        }
        return current;
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** A byte string as the OS sees it (file names, environment, argv). */
    static String toOs(String bytes) {
        return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), FILE_NAMES);
    }

    /** An OS string (argv, environment) as a byte string. */
    static String fromOs(String text) {
        return new String(text.getBytes(FILE_NAMES), StandardCharsets.ISO_8859_1);
    }
}
