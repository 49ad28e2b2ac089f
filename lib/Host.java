import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The file system the tool works on, and the boundary between our byte strings and the OS.
 * Inside the tool every path and value is a byte string (one char per byte, ISO-8859-1), so that
 * any byte in main.cf survives; here such a string becomes a real {@link Path}.
 */
final class Host {
    private static final Charset FILE_NAMES = fileNameCharset();
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

    /** The real path of an absolute host path (a byte string). */
    Path path(String hostPath) {
        String name = toOs(hostPath);
        return root == null ? Path.of(name) : root.resolve(name.replaceFirst("^/+", ""));
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
