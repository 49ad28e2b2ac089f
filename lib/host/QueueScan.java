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
 * subdirectory, to be entered, any other is a queue file. So every hash_queue_depth and
 * hash_queue_names is handled, including files left at an old depth after either changed, which
 * Postfix still finds and delivers. Files move between queues while we look: one that is gone
 * before we see it is simply not counted, and a queue or hash directory that does not exist
 * (an instance never started) holds no messages.
 */
final class QueueScan {
    /** What a queue holds: how many message files, and the oldest one's modification time (epoch ms, 0 when empty). */
    record Contents(long messages, long oldestModified) {
        static final Contents EMPTY = new Contents(0, 0);

        Contents plus(long modified) {
            return new Contents(messages + 1, messages == 0 ? modified : Math.min(oldestModified, modified));
        }

        /** The oldest message's age in whole seconds at {@code now} (epoch ms); 0 when empty. */
        long oldestAgeSeconds(long now) {
            return messages == 0 ? 0 : Math.max(0, (now - oldestModified) / 1000);
        }
    }

    private QueueScan() {
    }

    /** The contents of the queue at {@code directory}; fails only when a directory cannot be read. */
    static Contents of(Path directory) throws IOException {
        return scan(directory, Contents.EMPTY);
    }

    private static Contents scan(Path directory, Contents found) throws IOException {
        Contents total = found;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) total = entry(entry, total);
        } catch (NoSuchFileException notThere) {
            return found;
        }
        return total;
    }

    private static Contents entry(Path entry, Contents found) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException moved) {
            return found;
        }
        boolean hashDirectory = entry.getFileName().toString().length() == 1;
        if (hashDirectory) return attributes.isDirectory() ? scan(entry, found) : found;
        return attributes.isRegularFile() ? found.plus(attributes.lastModifiedTime().toMillis()) : found;
    }
}
