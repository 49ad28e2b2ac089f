import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * The output of {@code postconf -d}, kept between runs so that a start needs no child process.
 *
 * <p>It is valid for one postconf binary only: the first line names it by path, device, inode,
 * size, modification and change time, and any difference (an upgrade replaces the file) makes
 * it stale, so the caller asks postconf again and rewrites it. The file records the length of
 * the output too: a torn or truncated copy is never used.
 *
 * <p>Each user has their own, where only they may write: root (Postfix itself, systemd units,
 * admins) in {@value #ROOT_DIRECTORY}; anyone else under $XDG_CACHE_HOME or ~/.cache (from the
 * password entry, so no HOME is needed). A file or directory that another user could have
 * written is not read. Caching is best effort: when nothing can be written, every run asks
 * postconf, as without a cache.
 */
final class PostconfCache {
    static final String ROOT_DIRECTORY = "/var/cache/postmulti";
    private static final String FILE_NAME = "postconf-defaults";
    private static final String FORMAT = "postmulti postconf -d 1";
    private static final int WRITABLE_BY_OTHERS = 0022;
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private final Path directory;

    PostconfCache(Path directory) {
        this.directory = directory;
    }

    /** The cache of whoever runs us, or null when there is no place for one. */
    static PostconfCache forCaller(Map<String, String> environment) {
        Integer uid = callerUid();
        if (uid == null) return null;
        if (uid == 0) return new PostconfCache(Path.of(ROOT_DIRECTORY));
        String base = environment.get("XDG_CACHE_HOME");
        if (base == null || !base.startsWith("/")) {
            String home = System.getProperty("user.home");
            if (home == null || !home.startsWith("/")) return null;
            base = home + "/.cache";
        }
        return new PostconfCache(Path.of(base, "postmulti"));
    }

    /** Which postconf binary this is, as a line; a change of any part means another binary. */
    static String identity(Path postconf) throws IOException {
        Map<String, Object> a = Files.readAttributes(postconf, "unix:dev,ino,size,lastModifiedTime,ctime");
        return String.join(" ", postconf.toString(), a.get("dev").toString(), a.get("ino").toString(),
                a.get("size").toString(), a.get("lastModifiedTime").toString(), a.get("ctime").toString());
    }

    /** The output cached for this identity, or null (none, stale, damaged, or not trustworthy). */
    String read(String identity) {
        Path file = directory.resolve(FILE_NAME);
        try {
            if (!ownedByCallerOnly(directory) || !ownedByCallerOnly(file)) return null;
            String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            String header = FORMAT + "\n" + identity + "\n";
            if (!content.startsWith(header)) return null;
            int lengthEnd = content.indexOf('\n', header.length());
            if (lengthEnd < 0) return null;
            String output = content.substring(lengthEnd + 1);
            return content.substring(header.length(), lengthEnd).equals(Integer.toString(output.length())) ? output : null;
        } catch (IOException | RuntimeException unusable) {
            return null;
        }
    }

    /** Replaces the cache in one rename (a concurrent reader sees the old or the new one); best effort. */
    void write(String identity, String output) {
        Path temporary = null;
        try {
            Files.createDirectories(directory, PRIVATE);
            temporary = Files.createTempFile(directory, "." + FILE_NAME, ".tmp");
            String content = FORMAT + "\n" + identity + "\n" + output.length() + "\n" + output;
            Files.write(temporary, content.getBytes(StandardCharsets.ISO_8859_1));
            Files.move(temporary, directory.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException unwritable) {
            if (temporary != null) discard(temporary);
        }
    }

    private static void discard(Path temporary) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
            // A stray temporary file is harmless; it is never read.
        }
    }

    private static boolean ownedByCallerOnly(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:uid,mode");
        return a.get("uid").equals(callerUid()) && ((Integer) a.get("mode") & WRITABLE_BY_OTHERS) == 0;
    }

    /** Our effective uid: the kernel makes /proc/self belong to it. */
    private static Integer callerUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException noProc) {
            return null;
        }
    }
}
