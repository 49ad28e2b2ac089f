import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The removals of {@code -e destroy}, after the instance has left the primary's list, in the
 * helper script's order: the known queue subdirectories (relative to the queue directory), the
 * data and queue directories, main.cf and master.cf, the config directory. Only directories
 * that are empty are removed, never anything recursively, and a symbolic link is never
 * followed out of the instance's directories (a link where a directory is expected is left
 * alone, and reported). What stays behind is a warning in the script's words,
 * {@code <path>: please verify contents and remove by hand}.
 *
 * <p>As in the script, every rmdir that fails is reported, also for a name that does not exist
 * (rmdir fails on it just the same). One difference, kept on purpose: a missing queue directory
 * does not keep the data directory from being removed (postfix(1) cannot chdir to it, so the
 * script's two removal loops do not run, and postfix reports the failed chdir).
 */
final class InstanceDestroyer {
    static final List<String> QUEUE_SUBDIRECTORIES = List.of("active", "bounce", "corrupt", "defer", "deferred",
            "flush", "hold", "incoming", "maildrop", "pid", "private", "public", "saved", "trace");
    private static final String ADVICE = ": please verify contents and remove by hand";

    private final ChangePlan plan;
    private final Host host;

    private InstanceDestroyer(ChangePlan plan) {
        this.plan = plan;
        this.host = plan.host();
    }

    static void plan(ChangePlan plan, Instance target) {
        new InstanceDestroyer(plan).add(target);
    }

    private void add(Instance target) {
        String queue = target.queueDirectory();
        String config = target.configDirectory();
        plan.cleanup(new QueueSubdirectories(queue));
        plan.cleanup(new EmptyDirectory(target.dataDirectory(), Set.of()));
        plan.cleanup(new EmptyDirectory(queue, Set.copyOf(QUEUE_SUBDIRECTORIES)));
        plan.cleanup(new ConfigFiles(List.of(config + "/master.cf", config + "/main.cf")));
        plan.cleanup(new EmptyDirectory(config, Set.of("main.cf", "master.cf")));
    }

    /** rmdir of each known subdirectory name, relative to the (opened) queue directory. */
    private final class QueueSubdirectories implements ChangePlan.Cleanup {
        private final String queue;

        QueueSubdirectories(String queue) {
            this.queue = queue;
        }

        @Override
        public void preview(StringBuilder out) {
            Path directory = host.path(queue);
            if (!Files.isDirectory(directory)) return;
            for (String name : QUEUE_SUBDIRECTORIES) {
                Path sub = directory.resolve(name);
                boolean removable = Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS) && isEmpty(sub);
                out.append(rmdirLine(queue + "/" + name, removable));
            }
        }

        @Override
        public void run() {
            Path directory = host.path(queue);
            if (!Files.isDirectory(directory)) return;
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
                if (stream instanceof SecureDirectoryStream<Path> secure) {
                    for (String name : QUEUE_SUBDIRECTORIES) removeRelative(secure, name);
                    return;
                }
            } catch (IOException e) {
                Msg.warn(queue + ": cannot open: " + Errno.text(e));
                return;
            }
            for (String name : QUEUE_SUBDIRECTORIES) removeByPath(queue + "/" + name);
        }

        /** unlinkat(dirfd, name, AT_REMOVEDIR) after an lstat relative to the same directory. */
        private void removeRelative(SecureDirectoryStream<Path> directory, String name) {
            Path relative = Path.of(name);
            BasicFileAttributes attributes;
            try {
                attributes = directory.getFileAttributeView(relative, BasicFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).readAttributes();
            } catch (IOException e) {
                Msg.warn(queue + "/" + name + ADVICE);
                return;
            }
            if (!attributes.isDirectory()) {
                Msg.warn(queue + "/" + name + ADVICE);
                return;
            }
            try {
                directory.deleteDirectory(relative);
            } catch (IOException e) {
                Msg.warn(queue + "/" + name + ADVICE);
            }
        }
    }

    /** rmdir of one directory, which must be a directory itself and not a link to one. */
    private final class EmptyDirectory implements ChangePlan.Cleanup {
        private final String path;
        /** Entries the earlier cleanups remove when they can. */
        private final Set<String> removedBefore;

        EmptyDirectory(String path, Set<String> removedBefore) {
            this.path = path;
            this.removedBefore = removedBefore;
        }

        @Override
        public void preview(StringBuilder out) {
            Path real = host.path(path);
            out.append(rmdirLine(path, Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS) && emptyAfterCleanup(real)));
        }

        private boolean emptyAfterCleanup(Path real) {
            try (Stream<Path> entries = Files.list(real)) {
                return entries.allMatch(entry -> {
                    String name = entry.getFileName().toString();
                    if (!removedBefore.contains(name)) return false;
                    if (name.endsWith(".cf")) return !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS);
                    return Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) && isEmpty(entry);
                });
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void run() {
            removeByPath(path);
        }
    }

    /** rm -f of the two configuration files; a link is removed, not what it points to. */
    private final class ConfigFiles implements ChangePlan.Cleanup {
        private final List<String> files;

        ConfigFiles(List<String> files) {
            this.files = files;
        }

        @Override
        public void preview(StringBuilder out) {
            for (String file : files) {
                Path real = host.path(file);
                if (Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                    out.append(UnifiedDiff.diff(file, ChangePlan.text(plan.readIfFile(file)), null));
                } else if (Files.exists(real, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
                    out.append("# rm ").append(file).append('\n');
                }
            }
        }

        @Override
        public void run() {
            for (String file : files) {
                try {
                    Path real = host.path(file);
                    if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) Files.deleteIfExists(real);
                } catch (IOException e) {
                    // like "rm -f ... 2>/dev/null": what stays shows up when the directory is removed
                }
            }
        }
    }

    /** rmdir by path, refusing links: rmdir(2) of a link fails with ENOTDIR, and so do we. */
    private void removeByPath(String path) {
        Path real = host.path(path);
        try {
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isDirectory()) {
                Msg.warn(path + ADVICE);
                return;
            }
            Files.delete(real);
        } catch (IOException e) {
            Msg.warn(path + ADVICE);
        }
    }

    private static String rmdirLine(String path, boolean removable) {
        return "# rmdir " + path + (removable ? "" : " would fail: a warning would ask to verify and remove it by hand") + "\n";
    }

    private static boolean isEmpty(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
