import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Counts the message files of one Postfix queue directory and finds the oldest, walking it as
 * Postfix's own queue scanner (mail_scan_dir) does: an entry with a one-character name is a hash
 * subdirectory, to be entered (never through a symbolic link), any other is a queue file. So
 * every hash_queue_depth and hash_queue_names is handled, including files left at an old depth
 * after either changed, which Postfix still finds and delivers. A queue or hash directory that
 * does not exist (an instance never started) holds no messages.
 *
 * <p>Only the hash directories are looked at with stat(2) unless the ages are asked for: a
 * stat per message file is two thirds of the time on a large queue. With ages, a file gone
 * between listing and stat (moved to another queue meanwhile) is not counted.
 */
final class QueueScan {
    /**
     * What a queue holds: how many message files, and the oldest one's modification time
     * (epoch ms; {@link #NO_AGE} when empty or when the ages were not asked for).
     */
    record Contents(long messages, long oldestModified) {
        static final long NO_AGE = Long.MAX_VALUE;
        static final Contents EMPTY = new Contents(0, NO_AGE);

        Contents plus(long modified) {
            return new Contents(messages + 1, Math.min(oldestModified, modified));
        }

        /** The oldest message's age in whole seconds at {@code now} (epoch ms); 0 when empty. */
        long oldestAgeSeconds(long now) {
            return oldestModified == NO_AGE ? 0 : Math.max(0, (now - oldestModified) / 1000);
        }
    }

    private QueueScan() {
    }

    /** How many messages the queue at {@code directory} holds; fails only when a directory cannot be read. */
    static Contents of(Path directory) throws IOException {
        return scan(directory, Contents.EMPTY, false);
    }

    /** The same, and the oldest message's modification time. */
    static Contents withAges(Path directory) throws IOException {
        return scan(directory, Contents.EMPTY, true);
    }

    private static Contents scan(Path directory, Contents found, boolean ages) throws IOException {
        Contents total = found;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) total = entry(entry, total, ages);
        } catch (NoSuchFileException notThere) {
            return found;
        }
        return total;
    }

    private static Contents entry(Path entry, Contents found, boolean ages) throws IOException {
        boolean hashDirectory = entry.getFileName().toString().length() == 1;
        if (!hashDirectory && !ages) return found.plus(Contents.NO_AGE);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException moved) {
            return found;
        }
        if (hashDirectory) return attributes.isDirectory() ? scan(entry, found, ages) : found;
        return found.plus(attributes.lastModifiedTime().toMillis());
    }
}
