import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * Writes a file so that readers see either the old or the new content, never a mix, and the
 * new content survives a crash: a temporary file next to the target (unique name, created
 * exclusively), synced, then renamed or linked into place, then the directory synced.
 * Like postconf, a symbolic link at the target is replaced by the new file.
 *
 * <p>Callers hold the configuration lock ({@link ConfigLock}), so no other run of ours is
 * writing next to the same target: temporary files of ours found there were left by a run that
 * was killed, and are removed (with a warning) before the new one is written.
 */
final class AtomicFile {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");

    private AtomicFile() {
    }

    /** Replaces an existing file, keeping its mode and numeric owner and group. */
    static void replace(Path target, byte[] content) {
        Map<String, Object> attributes = ownerAndMode(target);
        Path temporary = writeTemporary(target, content);
        CrashPoint.reached("written " + temporary);
        try {
            // Only when they differ: a user who is not root cannot give a file away.
            Map<String, Object> current = Files.readAttributes(temporary, "unix:uid,gid");
            if (!current.get("uid").equals(attributes.get("uid")))
                Files.setAttribute(temporary, "unix:uid", attributes.get("uid"));
            if (!current.get("gid").equals(attributes.get("gid")))
                Files.setAttribute(temporary, "unix:gid", attributes.get("gid"));
            // After chown: changing the owner clears set-id bits.
            Files.setAttribute(temporary, "unix:mode", attributes.get("mode"));
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            discard(temporary);
            throw failure("update", target, e);
        }
        CrashPoint.reached("renamed " + temporary + " to " + target);
        syncDirectory(target);
    }

    /**
     * Creates a new file with the given mode ("rw-r--r--" or octal "0644"); fatal when the
     * target exists. The file appears complete or not at all.
     */
    static void create(Path target, byte[] content, String posixMode) {
        Set<PosixFilePermission> permissions = permissions(posixMode);
        Path temporary = writeTemporary(target, content);
        CrashPoint.reached("written " + temporary);
        try {
            Files.setPosixFilePermissions(temporary, permissions);
            // A hard link, unlike rename, refuses to replace an existing file.
            Files.createLink(target, temporary);
            CrashPoint.reached("linked " + target + " to " + temporary);
        } catch (IOException | RuntimeException e) {
            throw failure("create", target, e);
        } finally {
            discard(temporary);
        }
        syncDirectory(target);
    }

    private static Map<String, Object> ownerAndMode(Path target) {
        try {
            return Files.readAttributes(target, "unix:uid,gid,mode");
        } catch (IOException | RuntimeException e) {
            throw failure("update", target, e);
        }
    }

    private static Path writeTemporary(Path target, byte[] content) {
        removeLeftovers(target);
        Path temporary = target.resolveSibling(temporaryPrefix(target) + HexFormat.of().formatHex(randomBytes()) + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PRIVATE))) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) channel.write(buffer);
            channel.force(true);
        } catch (FileAlreadyExistsException e) {
            throw failure("write", target, e);
        } catch (IOException | RuntimeException e) {
            discard(temporary);
            throw failure("write", target, e);
        }
        return temporary;
    }

    private static String temporaryPrefix(Path target) {
        return "." + target.getFileName() + ".";
    }

    private static void removeLeftovers(Path target) {
        String prefix = temporaryPrefix(target);
        DirectoryStream.Filter<Path> ours = path -> {
            String name = path.getFileName().toString();
            return name.startsWith(prefix) && name.substring(prefix.length()).matches("[0-9a-f]{16}\\.tmp");
        };
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(target.toAbsolutePath().getParent(), ours)) {
            for (Path leftover : leftovers) {
                if (!Files.isRegularFile(leftover, LinkOption.NOFOLLOW_LINKS)) continue;
                Files.delete(leftover);
                Msg.warn("removed " + Host.fromOs(leftover.toString()) + ", left by an interrupted run");
            }
        } catch (IOException | RuntimeException e) {
            // A leftover that stays harms nothing; the write itself will report real trouble.
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** Makes the rename itself durable. */
    private static void syncDirectory(Path target) {
        Path directory = target.toAbsolutePath().getParent();
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            throw new Fatal("sync directory " + Host.fromOs(directory.toString()) + ": " + reason(e));
        }
    }

    /** "rw-r--r--" or octal "0644" as a permission set. */
    static Set<PosixFilePermission> permissions(String posixMode) {
        if (posixMode.matches("[0-7]{3,4}")) {
            int bits = Integer.parseInt(posixMode, 8);
            if (bits > 0777) throw new Fatal("unsupported file mode: " + posixMode);
            return permissions(bits);
        }
        try {
            return PosixFilePermissions.fromString(posixMode);
        } catch (IllegalArgumentException e) {
            throw new Fatal("bad file mode: " + posixMode);
        }
    }

    /** The permission bits (0777 and below) of a mode as a permission set. */
    static Set<PosixFilePermission> permissions(int bits) {
        return PosixFilePermissions.fromString(symbolic(bits & 0777));
    }

    private static String symbolic(int bits) {
        StringBuilder text = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) text.append((bits & (0400 >> i)) != 0 ? letters.charAt(i) : '-');
        return text.toString();
    }

    private static void discard(Path temporary) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException | RuntimeException ignored) {
            // Best effort: the failure being reported matters more than a stray temporary file.
        }
    }

    private static Fatal failure(String verb, Path target, Exception e) {
        return new Fatal(verb + " " + Host.fromOs(target.toString()) + ": " + reason(e));
    }

    private static String reason(Exception e) {
        if (e instanceof IOException io) return Errno.text(io);
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
