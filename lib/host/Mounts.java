import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What /proc/self/mountinfo says about the mount a path is on. Java's FileStore cannot tell:
 * it matches a path to a mount by device, so a bind mount remounted read-only (the usual way
 * to protect one directory) shows as the read-write mount it was bound from.
 */
final class Mounts {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    /** Fields of a mountinfo line: id, parent, major:minor, root, mount point, options, ... */
    private static final int MOUNT_POINT = 4;
    private static final int OPTIONS = 5;

    private Mounts() {
    }

    /** Whether the path (which must exist) is on a read-only mount; false when that cannot be read. */
    static boolean readOnly(Path path) {
        try {
            return readOnly(path.toRealPath().toString(), Files.readString(MOUNTINFO, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code target} (a real path) is on a read-only mount, as the mountinfo {@code table} says. */
    static boolean readOnly(String target, String table) {
        String bestPoint = null;
        boolean bestReadOnly = false;
        for (String line : table.split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length <= OPTIONS) continue;
            String point = unescape(fields[MOUNT_POINT]);
            // The longest mount point over the path wins; among equals, the later one is on top.
            if (!covers(point, target) || (bestPoint != null && point.length() < bestPoint.length())) continue;
            bestPoint = point;
            bestReadOnly = (fields[OPTIONS] + ",").startsWith("ro,");
        }
        return bestReadOnly;
    }

    private static boolean covers(String point, String path) {
        return path.equals(point) || point.equals("/") || path.startsWith(point + "/");
    }

    /** mountinfo writes space, tab, newline and backslash in a path as \ and three octal digits. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
