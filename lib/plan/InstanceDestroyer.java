import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
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
 * alone, and reported).
 *
 * <p>What stays behind is reported as the script's users see it: rmdir(1)'s complaint, then the
 * script's warning {@code <path>: please verify contents and remove by hand} under its log tag.
 * As in the script, every rmdir that fails is reported, also for a name that does not exist
 * (rmdir fails on it just the same) -- except under --root, where nothing of that kind is
 * said: there create skips set-permissions, so the queue subdirectories were never made, and
 * 14 complaints about them would hide what really stayed behind.
 *
 * <p>The script removes the queue subdirectories, and then the data and queue directories, in
 * two shells that postfix(1) starts in the queue directory; so what postfix says when it starts
 * for the instance (its compatibility notice) comes before each. When the queue directory
 * cannot be entered, postfix says so, once for each shell, and neither shell runs: the data
 * directory stays too.
 */
final class InstanceDestroyer {
    static final List<String> QUEUE_SUBDIRECTORIES = List.of("active", "bounce", "corrupt", "defer", "deferred",
            "flush", "hold", "incoming", "maildrop", "pid", "private", "public", "saved", "trace");
    private static final String ADVICE = ": please verify contents and remove by hand";

    private final ChangePlan plan;
    private final Host host;
    private final String helperTag;
    private final List<String> postfixNotice;

    private InstanceDestroyer(ChangePlan plan, String helperTag, List<String> postfixNotice) {
        this.plan = plan;
        this.host = plan.host();
        this.helperTag = helperTag;
        this.postfixNotice = postfixNotice;
    }

    /**
     * Adds the removals to the plan; what stays is reported under the helper script's tag.
     * {@code postfixNotice} is what postfix(1) says when it starts for the instance.
     */
    static void plan(ChangePlan plan, Instance target, String helperTag, List<String> postfixNotice) {
        new InstanceDestroyer(plan, helperTag, postfixNotice).add(target);
    }

    private void add(Instance target) {
        String queue = target.queueDirectory();
        String config = target.configDirectory();
        String unreachable = whyNotEnterable(queue);
        plan.cleanup(new PostfixStarts(queue, unreachable));
        if (unreachable == null) plan.cleanup(new QueueSubdirectories(queue));
        plan.cleanup(new PostfixStarts(queue, unreachable));
        if (unreachable == null) {
            plan.cleanup(new EmptyDirectory(target.dataDirectory(), Set.of()));
            plan.cleanup(new EmptyDirectory(queue, Set.copyOf(QUEUE_SUBDIRECTORIES)));
        }
        plan.cleanup(new ConfigFiles(List.of(config + "/master.cf", config + "/main.cf")));
        plan.cleanup(new EmptyDirectory(config, Set.of("main.cf", "master.cf")));
    }

    /** Why chdir(2) to the directory would fail (strerror), or null when it would not. */
    private String whyNotEnterable(String directory) {
        Path real = host.path(directory);
        try {
            if (Files.readAttributes(real, BasicFileAttributes.class).isDirectory()) return null;
            return "Not a directory";
        } catch (IOException e) {
            return Errno.text(e);
        }
    }

    /**
     * postfix(1) starting a removal shell in the queue directory: its notice, and its complaint
     * when it cannot chdir there (then the shell does not run).
     */
    private final class PostfixStarts implements ChangePlan.Cleanup {
        private final String queue;
        /** Why chdir fails, or null. */
        private final String unreachable;

        PostfixStarts(String queue, String unreachable) {
            this.queue = queue;
            this.unreachable = unreachable;
        }

        @Override
        public void preview(StringBuilder out) {
            if (unreachable != null)
                out.append("# chdir ").append(queue).append(" would fail (").append(unreachable).append(")\n");
        }

        @Override
        public void run() {
            for (String line : postfixNotice) Msg.commandLine("postfix", line);
            if (unreachable != null) Msg.commandLine("postfix", "fatal: chdir(" + queue + "): " + unreachable);
        }
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
            for (String name : QUEUE_SUBDIRECTORIES) {
                Path sub = directory.resolve(name);
                if (neverThere(sub)) continue;
                boolean removable = Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS) && isEmpty(sub);
                out.append(rmdirLine(queue + "/" + name, removable));
            }
        }

        @Override
        public void run() {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(host.path(queue))) {
                if (stream instanceof SecureDirectoryStream<Path> secure) {
                    for (String name : QUEUE_SUBDIRECTORIES) removeRelative(secure, name);
                    return;
                }
            } catch (IOException e) {
                Msg.warn(queue + ": cannot open: " + Errno.text(e));
                return;
            }
            for (String name : QUEUE_SUBDIRECTORIES) removeByPath(queue + "/" + name, name, queue + "/" + name);
        }

        /** unlinkat(dirfd, name, AT_REMOVEDIR) after an lstat relative to the same directory. */
        private void removeRelative(SecureDirectoryStream<Path> directory, String name) {
            Path relative = Path.of(name);
            try {
                BasicFileAttributes attributes = directory.getFileAttributeView(relative, BasicFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).readAttributes();
                if (!attributes.isDirectory()) {
                    leftBehind(name, queue + "/" + name, "Not a directory");
                    return;
                }
                directory.deleteDirectory(relative);
            } catch (IOException e) {
                leftBehind(name, queue + "/" + name, e);
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
            if (neverThere(real)) return;
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
            removeByPath(path, path, path);
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
                if (Files.exists(real, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS))
                    out.append("# rm ").append(file).append('\n');
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

    /**
     * rmdir by path, refusing links: rmdir(2) of a link fails with ENOTDIR, and so do we.
     * {@code operand} is the name rmdir was given, {@code shown} the one the warning names.
     */
    private void removeByPath(String path, String operand, String shown) {
        Path real = host.path(path);
        try {
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isDirectory()) {
                leftBehind(operand, shown, "Not a directory");
                return;
            }
            Files.delete(real);
        } catch (IOException e) {
            leftBehind(operand, shown, e);
        }
    }

    /** rmdir's failure, unless it is about a name that is not there in an offline tree. */
    private void leftBehind(String operand, String shown, IOException failure) {
        if (host.offline() && failure instanceof NoSuchFileException) return;
        leftBehind(operand, shown, Errno.text(failure));
    }

    /** Under --root, a name that does not exist is not worth a word (see the class comment). */
    private boolean neverThere(Path real) {
        return host.offline() && !Files.exists(real, LinkOption.NOFOLLOW_LINKS);
    }

    /** rmdir(1)'s complaint, then the helper script's warning. */
    private void leftBehind(String operand, String shown, String reason) {
        Msg.commandLine("rmdir", "failed to remove '" + operand + "': " + reason);
        Msg.said(helperTag, "warning", shown + ADVICE);
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
