import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A copy-on-write view of the host's Postfix for differential life-cycle tests: each command runs
 * in a private mount namespace where {@code /etc}, {@code /var/spool} and {@code /var/lib} are
 * overlays whose upper layers live in this sandbox's temporary directory. Everything a command
 * changes there (the primary /etc/postfix/main.cf, a new /etc/postfix-out, /var/spool/postfix-out,
 * /var/lib/postfix-out, what {@code postfix set-permissions} does) lands in the upper layers and
 * survives from one command to the next, while the host stays untouched.
 *
 * <p>The real postmulti and ours run in two such sandboxes started from the same host state, with
 * the same absolute paths, so their results can be compared file by file: the upper layers must
 * hold the same entries with the same type, mode, owner, group and content. Both run under
 * script(1), so stderr is a terminal for both (the real program and postlog print only to a
 * terminal); stdout goes to a file.
 */
final class LifecycleOracle implements AutoCloseable {
    static final List<String> OVERLAID = List.of("/etc", "/var/spool", "/var/lib");
    private final Path base;

    LifecycleOracle() {
        try {
            base = Files.createTempDirectory("postmulti-oracle").toRealPath();
            for (String dir : OVERLAID) {
                Files.createDirectories(upper(dir));
                Files.createDirectories(work(dir));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Why these tests cannot run here, or null. */
    static String unavailableReason() {
        String real = RealPostmulti.unavailableReason();
        if (real != null) return real;
        if (!Files.isExecutable(Path.of("/usr/sbin/postfix"))) return "real postfix not installed";
        if (!Files.isRegularFile(Path.of("/usr/lib/postfix/sbin/postmulti-script"))) return "postmulti-script not found";
        return null;
    }

    Path upper(String hostDirectory) {
        return base.resolve("upper" + hostDirectory.replace('/', '_'));
    }

    private Path work(String hostDirectory) {
        return base.resolve("work" + hostDirectory.replace('/', '_'));
    }

    /** The real C postmulti with these arguments. */
    Tool.Result real(String... args) {
        return inside(List.of("/usr/sbin/postmulti"), Map.of(), args);
    }

    /** Our tool (java with the test runner's class path), same arguments. */
    Tool.Result ours(Map<String, String> environment, String... args) {
        return inside(Tool.command(), environment, args);
    }

    Tool.Result ours(String... args) {
        return ours(Map.of(), args);
    }

    /** Any shell command inside the sandbox (to prepare files, say). */
    Tool.Result shell(String command) {
        return inside(List.of("/bin/sh", "-c", command), Map.of());
    }

    private Tool.Result inside(List<String> program, Map<String, String> environment, String... args) {
        try {
            Path out = Files.createTempFile(base, "out", ".txt");
            List<String> words = new ArrayList<>(program);
            words.addAll(List.of(args));
            String inner = "cd / && exec " + RealPostmulti.quoteAll(words) + " >" + RealPostmulti.quote(out.toString());
            String mounts = OVERLAID.stream()
                    .map(dir -> "mount -t overlay overlay -o lowerdir=" + dir + ",upperdir=" + upper(dir)
                            + ",workdir=" + work(dir) + " " + dir)
                    .collect(Collectors.joining(" && "));
            String outer = mounts + " && exec script -qec " + RealPostmulti.quote(inner) + " /dev/null";
            List<String> command = List.of("unshare", "-m", "--propagation", "private", "sh", "-c", outer);
            Map<String, String> env = new java.util.HashMap<>(environment);
            env.put("MAIL_CONFIG", null);
            Tool.Result raw = Tool.exec(command, env, null);
            String stdout = Files.readString(out, StandardCharsets.ISO_8859_1);
            Files.delete(out);
            return new Tool.Result(raw.status(), stdout, raw.out().replace("\r\n", "\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every entry of the upper layers: path (as seen inside) to type, mode, owner and content.
     * Overlay bookkeeping (whiteouts are character devices) shows as such. Our lock file is left
     * out: it is our own addition.
     */
    Map<String, Entry> snapshot() {
        Map<String, Entry> entries = new TreeMap<>();
        for (String dir : OVERLAID) {
            Path top = upper(dir);
            try (Stream<Path> walk = Files.walk(top)) {
                walk.filter(p -> !p.equals(top)).forEach(p -> {
                    String inside = dir + "/" + top.relativize(p);
                    Entry entry = Entry.of(p);
                    // A directory copied up unchanged (to hold a changed file) is no change.
                    if (entry.kind().equals("d") && Files.isDirectory(Path.of(inside), LinkOption.NOFOLLOW_LINKS)
                            && entry.metadata().equals(Entry.of(Path.of(inside)).metadata())) return;
                    entries.put(inside, entry);
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return entries;
    }

    /** One entry: "d 040755 0:0", "f 0100644 0:0" plus content, "l -> target", "c" (whiteout). */
    record Entry(String kind, String metadata, byte[] content, long modified) {
        static Entry of(Path p) {
            try {
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
                String metadata = String.format("%06o %s:%s", (Integer) a.get("mode"), a.get("uid"), a.get("gid"));
                long modified = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis();
                if (Files.isSymbolicLink(p)) return new Entry("l", metadata + " -> " + Files.readSymbolicLink(p), null, 0);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return new Entry("d", metadata, null, 0);
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return new Entry("f", metadata, Files.readAllBytes(p), modified);
                return new Entry("c", metadata, null, 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String text() {
            return content == null ? null : new String(content, StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() {
        TestFiles.deleteTree(base);
    }
}
