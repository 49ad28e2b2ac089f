import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * What a life-cycle action will do to the file system, prepared in full before anything is
 * touched, then either shown (dry run) or carried out (commit).
 *
 * <p>The steps run in the order they were added. Each step that succeeds leaves behind how to
 * undo it; if a later step fails, the steps done so far are undone in reverse order and the
 * failure is reported, so the action happens completely or not at all. The order is chosen so
 * that even a crash (where no undo runs) leaves nothing half made that is registered: new
 * directories, then the instance's files (complete files, renamed into place, master.cf last),
 * then the instance's own main.cf, then the primary's main.cf (the registration), then
 * commands such as set-permissions. Every file is written with {@link AtomicFile}, so a reader
 * never sees a partly written main.cf.
 *
 * <p>Cleanup steps (destroy's removals) come after all of that. They are best-effort, never undone:
 * what cannot be removed is left in place with a warning, exactly as the helper script does.
 *
 * <p>Paths are host paths (byte strings); every file access goes through {@link Host}.
 */
final class ChangePlan {
    /** One prepared change. */
    interface Step {
        /** Appends what the step would do: a unified diff, or {@code # ...} lines. */
        void preview(StringBuilder out);

        /** Does it; records how to undo it. */
        void apply(Deque<Runnable> undo);
    }

    /** A best-effort step after the commit. */
    interface Cleanup {
        void preview(StringBuilder out);

        void run();
    }

    private final Host host;
    private final List<Step> steps = new ArrayList<>();
    private final List<Cleanup> cleanups = new ArrayList<>();
    private final java.util.Set<String> plannedDirectories = new java.util.HashSet<>();

    ChangePlan(Host host) {
        this.host = host;
    }

    Host host() {
        return host;
    }

    boolean isEmpty() {
        return steps.isEmpty() && cleanups.isEmpty();
    }

    // ----------------------------------------------------------------- building the plan

    /**
     * {@code mkdir -p} under a umask that gives {@code mode}: every missing component is made
     * with that mode, owned by us. Components that exist (or, through a symbolic link, lead to a
     * directory) are left alone; one that exists and is not a directory is fatal now, in GNU
     * mkdir's words: the path itself or a dangling link "File exists", a file on the way "Not a
     * directory".
     */
    void makeDirectories(String directory, int mode) {
        List<String> missing = new ArrayList<>();
        for (String path = directory; path.length() > 1; path = parent(path)) {
            Path real = host.path(path);
            Path leadsTo = host.resolved(path);
            if (plannedDirectories.contains(path) || (leadsTo != null && Files.isDirectory(leadsTo))) break;
            if (Files.exists(real, LinkOption.NOFOLLOW_LINKS))
                throw cannotMake(path, path.equals(directory) || leadsTo == null ? "File exists" : "Not a directory");
            missing.add(0, path);
        }
        for (String path : missing) {
            plannedDirectories.add(path);
            steps.add(new MakeDirectory(path, mode));
        }
    }

    /**
     * New files, written complete under {@code staging} (made with mode 0700 if missing, and
     * removed afterwards if empty), then renamed into place in the given order. A file that
     * exists already is replaced, and restored on undo.
     */
    void install(String staging, List<NewFile> files) {
        List<NewFile> prepared = new ArrayList<>();
        for (NewFile file : files) prepared.add(file.withBefore(readIfFile(file.path())));
        steps.add(new Install(staging, prepared));
    }

    /**
     * The staging directory of {@link #install} as a run that was killed may leave it: removed
     * when it is there and empty (a non-empty one is not ours to judge, and stays).
     */
    void removeLeftoverStaging(String staging) {
        Path real = host.path(staging);
        if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) return;
        try (java.util.stream.Stream<Path> entries = Files.list(real)) {
            if (entries.findAny().isPresent()) return;
        } catch (IOException e) {
            return;
        }
        steps.add(new Step() {
            @Override
            public void preview(StringBuilder out) {
                out.append("# rmdir ").append(staging).append('\n');
            }

            @Override
            public void apply(Deque<Runnable> undo) {
                quietlyRemoveDirectory(real);
            }
        });
    }

    /**
     * An edit of an existing file (postconf -e style): nothing when the content stays the same.
     * A second edit of the same file joins the first, so the file is written once.
     */
    void edit(String path, byte[] before, byte[] after) {
        for (Step step : steps) {
            if (step instanceof Edit earlier && earlier.path.equals(path)) {
                earlier.after = after;
                return;
            }
        }
        if (Arrays.equals(before, after)) return;
        steps.add(new Edit(path, before, after));
    }

    /** The content a file will have after the edits planned so far, or {@code current}. */
    byte[] latest(String path, byte[] current) {
        for (Step step : steps) {
            if (step instanceof Edit earlier && earlier.path.equals(path)) return earlier.after;
        }
        return current;
    }

    /**
     * A command, after the file changes: a non-zero status is a failure that undoes the whole
     * plan; {@code undo} (may be null) runs first when the plan is undone after the command ran.
     */
    void command(String description, IntSupplier run, Runnable undo) {
        steps.add(new Command(description, run, undo));
    }

    void cleanup(Cleanup cleanup) {
        cleanups.add(cleanup);
    }

    /** Something said at its place in the plan: {@code # text} in the dry run, {@code atCommit} when committed. */
    void notice(String text, Runnable atCommit) {
        steps.add(new Step() {
            @Override
            public void preview(StringBuilder out) {
                out.append("# ").append(text).append('\n');
            }

            @Override
            public void apply(Deque<Runnable> undo) {
                atCommit.run();
            }
        });
    }

    /**
     * A file to install: content, mode (octal), optionally a file whose owner and times to copy,
     * and optionally the prototype it was made from (the dry run shows a new file as a diff
     * against it: a few lines instead of the whole file).
     */
    record NewFile(String path, byte[] content, int mode, String copyOwnerAndTimesFrom, String prototype, byte[] before) {
        NewFile(String path, byte[] content, int mode, String copyOwnerAndTimesFrom) {
            this(path, content, mode, copyOwnerAndTimesFrom, null, null);
        }

        NewFile madeFrom(String prototypePath) {
            return new NewFile(path, content, mode, copyOwnerAndTimesFrom, prototypePath, before);
        }

        NewFile withBefore(byte[] existing) {
            return new NewFile(path, content, mode, copyOwnerAndTimesFrom, prototype, existing);
        }
    }

    // ----------------------------------------------------------------- dry run and commit

    /** The dry run: everything the plan would do, in order. */
    void printDryRun(PrintStream out) {
        StringBuilder text = new StringBuilder();
        if (host.offline() && !isEmpty())
            text.append("# --root: every path below is inside ").append(host.root()).append('\n');
        for (Step step : steps) step.preview(text);
        for (Cleanup cleanup : cleanups) cleanup.preview(text);
        out.print(text);
        out.flush();
    }

    /**
     * Carries the plan out under the lock. Nothing starts unless every file and directory to be
     * written can be ({@link #requireWritable}). On failure, undoes what was done and reports the
     * failure (as a Fatal); problems while undoing are warnings.
     *
     * <p>Signals (see {@link SignalHold}): one that arrives before the last step is done stops
     * the commit at the next step, which undoes the steps done, says so, and dies of the signal
     * (status 128+N). Once the last step is done the change has happened (for destroy: the
     * instance is no longer registered), so the cleanups are finished first, naming anything
     * they leave behind, and the process ends normally, noting the signal.
     */
    void commit(ConfigLock lock) {
        if (isEmpty()) return;
        lock.requireHeld();
        requireWritable();
        Deque<Runnable> undo = new ArrayDeque<>();
        try (SignalHold hold = SignalHold.start()) {
            try {
                for (Step step : steps) {
                    if (hold.signalled()) throw new Fatal(hold.firstSignal() + " received; the changes were undone");
                    step.apply(undo);
                    CrashPoint.reached("after step " + step.getClass().getSimpleName());
                }
            } catch (RuntimeException failure) {
                rollBack(undo);
                Fatal fatal = failure instanceof Fatal known ? known : new Fatal(String.valueOf(failure.getMessage()), failure);
                // The held signal ends the process when the hold closes, before our caller could say why.
                if (hold.signalled()) fatal.report();
                throw fatal;
            }
            hold.committed();
            for (Cleanup cleanup : cleanups) {
                cleanup.run();
                CrashPoint.reached("after cleanup");
            }
        }
    }

    /**
     * Refuses, before anything is written, a plan whose files or directories are on a read-only
     * file system or in a directory we may not write (access(2) as the kernel answers it), with
     * the message the write itself would give. So a create or destroy on a read-only primary
     * writes nothing at all, rather than making and then undoing the instance's directories.
     */
    private void requireWritable() {
        for (Step step : steps) {
            String directory = step instanceof Edit edit ? parent(edit.path)
                    : step instanceof Install install ? parent(install.staging)
                    : step instanceof MakeDirectory make ? parent(make.path) : null;
            if (directory == null || plannedDirectories.contains(directory)) continue;
            // Resolved inside the tree: under --root, a directory that is a link (/var/spool -> /srv/spool)
            // leads to the tree's /srv/spool, where Files.isWritable would follow it on this host.
            Path real = host.resolved(directory);
            if (real == null) real = host.path(directory);
            if (Files.isWritable(real)) continue;
            String reason = Mounts.readOnly(real) ? "Read-only file system" : "Permission denied";
            if (step instanceof Edit edit) throw new Fatal("write " + edit.path + ": " + reason);
            if (step instanceof Install install) throw cannotMake(install.staging, reason);
            throw cannotMake(((MakeDirectory) step).path, reason);
        }
    }

    private static void rollBack(Deque<Runnable> undo) {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                Msg.warn("while undoing: " + e.getMessage());
            }
        }
    }

    // ----------------------------------------------------------------- the steps

    private final class MakeDirectory implements Step {
        private final String path;
        private final int mode;

        MakeDirectory(String path, int mode) {
            this.path = path;
            this.mode = mode;
        }

        @Override
        public void preview(StringBuilder out) {
            out.append("# mkdir -m ").append(octal(mode)).append(' ').append(path).append('\n');
        }

        @Override
        public void apply(Deque<Runnable> undo) {
            Path real = host.path(path);
            try {
                // Made with its mode (less the umask) at once, so that a crash before the chmod
                // leaves it no more open than planned.
                Files.createDirectory(real, PosixFilePermissions.asFileAttribute(AtomicFile.permissions(mode)));
            } catch (FileAlreadyExistsException e) {
                if (Files.isDirectory(real)) return;
                throw cannotMake(path, "File exists");
            } catch (IOException e) {
                throw cannotMake(path, Errno.text(e));
            }
            undo.push(() -> removeEmptyDirectory(path));
            CrashPoint.reached("mkdir " + path);
            try {
                Files.setAttribute(real, "unix:mode", mode);
            } catch (IOException e) {
                throw new Fatal("chmod " + path + ": " + Errno.text(e));
            }
        }
    }

    private final class Install implements Step {
        private final String staging;
        private final List<NewFile> files;

        Install(String staging, List<NewFile> files) {
            this.staging = staging;
            this.files = files;
        }

        @Override
        public void preview(StringBuilder out) {
            for (NewFile file : files) {
                if (file.before() == null && file.prototype() != null) previewFromPrototype(file, out);
                else out.append(UnifiedDiff.diff(file.path(), text(file.before()), text(file.content())));
            }
        }

        private void previewFromPrototype(NewFile file, StringBuilder out) {
            String prototype = text(readIfFile(file.prototype()));
            String diff = UnifiedDiff.diff(file.prototype(), file.path(), prototype, text(file.content()), 0);
            if (diff.isEmpty()) {
                out.append("# new file ").append(file.path()).append(": a copy of ").append(file.prototype()).append('\n');
                return;
            }
            out.append("# new file ").append(file.path()).append(": ").append(file.prototype())
                    .append(" with these changes\n").append(diff);
        }

        @Override
        public void apply(Deque<Runnable> undo) {
            Path stagingPath = host.path(staging);
            if (!Files.isDirectory(stagingPath)) {
                try {
                    Files.createDirectory(stagingPath, PosixFilePermissions.asFileAttribute(AtomicFile.permissions(0700)));
                    Files.setAttribute(stagingPath, "unix:mode", 0700);
                } catch (FileAlreadyExistsException e) {
                    if (!Files.isDirectory(stagingPath)) throw cannotMake(staging, "File exists");
                } catch (IOException e) {
                    throw cannotMake(staging, Errno.text(e));
                }
            }
            undo.push(() -> quietlyRemoveDirectory(stagingPath));
            List<Path> staged = new ArrayList<>();
            for (NewFile file : files) {
                Path path = stage(stagingPath, file);
                staged.add(path);
                undo.push(() -> quietlyRemoveFile(path));
            }
            for (int i = 0; i < files.size(); i++) {
                NewFile file = files.get(i);
                Path target = host.path(file.path());
                Map<String, Object> original = file.before() == null ? null : attributes(target);
                try {
                    Files.move(staged.get(i), target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new Fatal("rename " + file.path() + ": " + Errno.text(e));
                }
                CrashPoint.reached("installed " + file.path());
                undo.push(() -> restore(file, original));
            }
            syncDirectory(host.path(parent(files.get(files.size() - 1).path())));
            quietlyRemoveDirectory(stagingPath);
        }

        /** Writes one file in the staging directory: AtomicFile, then owner and times as cp -p would. */
        private Path stage(Path stagingPath, NewFile file) {
            Path staged = stagingPath.resolve(host.path(file.path()).getFileName());
            try {
                Files.deleteIfExists(staged);
            } catch (IOException e) {
                throw new Fatal("remove " + Host.fromOs(staged.toString()) + ": " + Errno.text(e));
            }
            AtomicFile.create(staged, file.content(), octal(file.mode() & 0777));
            if (file.copyOwnerAndTimesFrom() != null) copyOwnerAndTimes(host.path(file.copyOwnerAndTimesFrom()), staged);
            return staged;
        }

        private void restore(NewFile file, Map<String, Object> original) {
            Path target = host.path(file.path());
            try {
                if (original == null) {
                    Files.deleteIfExists(target);
                    return;
                }
                AtomicFile.replace(target, file.before());
                Files.setAttribute(target, "unix:uid", original.get("uid"));
                Files.setAttribute(target, "unix:gid", original.get("gid"));
                Files.setAttribute(target, "unix:mode", original.get("mode"));
            } catch (IOException e) {
                throw new Fatal("restore " + file.path() + ": " + Errno.text(e));
            }
        }
    }

    private final class Edit implements Step {
        private final String path;
        private final byte[] before;
        private byte[] after;

        Edit(String path, byte[] before, byte[] after) {
            this.path = path;
            this.before = before;
            this.after = after;
        }

        @Override
        public void preview(StringBuilder out) {
            out.append(UnifiedDiff.diff(path, text(before), text(after)));
        }

        @Override
        public void apply(Deque<Runnable> undo) {
            if (Arrays.equals(before, after)) return;
            Path real = host.path(path);
            byte[] now = readIfFile(path);
            if (!Arrays.equals(now, before))
                throw new Fatal(path + " was changed by another program while postmulti was working; nothing was changed, try again");
            AtomicFile.replace(real, after);
            undo.push(() -> AtomicFile.replace(real, before));
        }
    }

    private static final class Command implements Step {
        private final String description;
        private final IntSupplier run;
        private final Runnable undoHook;

        Command(String description, IntSupplier run, Runnable undoHook) {
            this.description = description;
            this.run = run;
            this.undoHook = undoHook;
        }

        @Override
        public void preview(StringBuilder out) {
            out.append("# run ").append(description).append('\n');
        }

        @Override
        public void apply(Deque<Runnable> undo) {
            if (undoHook != null) undo.push(undoHook);
            int status = run.getAsInt();
            if (status != 0)
                throw new Fatal("'" + description + "' failed (exit status " + status + "); the changes were undone");
        }
    }

    // ----------------------------------------------------------------- helpers

    /** The content of a regular file (following symbolic links, as test -f does), or null. */
    byte[] readIfFile(String path) {
        Path real = host.path(path);
        if (!Files.isRegularFile(real)) return null;
        try {
            return Files.readAllBytes(real);
        } catch (IOException e) {
            throw new Fatal("read " + path + ": " + Errno.text(e));
        }
    }

    /** rmdir for undo: an empty directory we made goes; a non-empty one stays, with a warning. */
    private void removeEmptyDirectory(String path) {
        try {
            Files.deleteIfExists(host.path(path));
        } catch (DirectoryNotEmptyException e) {
            Msg.warn(path + ": not removed while undoing: Directory not empty");
        } catch (IOException e) {
            Msg.warn(path + ": not removed while undoing: " + Errno.text(e));
        }
    }

    private static void quietlyRemoveDirectory(Path path) {
        try {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) Files.deleteIfExists(path);
        } catch (IOException e) {
            // like "rmdir $tmpdir 2>/dev/null": a staging directory that is not empty stays
        }
    }

    private static void quietlyRemoveFile(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a staged copy that stays behind in the staging directory harms nothing
        }
    }

    private static Map<String, Object> attributes(Path path) {
        try {
            return Files.readAttributes(path, "unix:uid,gid,mode");
        } catch (IOException e) {
            return null;
        }
    }

    /** cp -p: owner and group when we may (root), access and modification times always. */
    private static void copyOwnerAndTimes(Path from, Path to) {
        try {
            Map<String, Object> owner = Files.readAttributes(from, "unix:uid,gid");
            try {
                Files.setAttribute(to, "unix:uid", owner.get("uid"));
                Files.setAttribute(to, "unix:gid", owner.get("gid"));
            } catch (IOException | SecurityException notPermitted) {
                // like cp -p without privileges: the copy stays ours
            }
            BasicFileAttributes times = Files.readAttributes(from, BasicFileAttributes.class);
            Files.getFileAttributeView(to, java.nio.file.attribute.BasicFileAttributeView.class)
                    .setTimes(times.lastModifiedTime(), times.lastAccessTime(), null);
        } catch (IOException e) {
            throw new Fatal("copy attributes of " + Host.fromOs(from.toString()) + ": " + Errno.text(e));
        }
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // the renames are done; durability of the directory entry is best effort here
        }
    }

    /** mkdir(1)'s complaint, which ends the helper script. */
    private static Fatal cannotMake(String path, String reason) {
        return Fatal.fromCommand("mkdir", "cannot create directory '" + path + "': " + reason);
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static String octal(int mode) {
        return String.format("%04o", mode);
    }

    static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
