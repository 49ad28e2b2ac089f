import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The file-system calls that make a write durable (fsync, fdatasync, rename, link and their *at
 * forms), as strace(1) attached to this JVM sees them while an action runs: the real system
 * calls, not our idea of them. Each call is one line, {@code sync PATH}, {@code rename FROM TO}
 * or {@code link FROM TO}, in order.
 */
final class SyscallTrace {
    private static final Path STRACE = Path.of("/usr/bin/strace");
    private static final Pattern CALL = Pattern.compile(
            "^\\d+\\s+(fsync|fdatasync|rename|renameat|renameat2|link|linkat)\\((.*)\\)\\s+=\\s+0$");
    private static final Pattern PATH = Pattern.compile("<([^>]*)>|\"([^\"]*)\"");

    private SyscallTrace() {
    }

    /** The calls {@code action} made that name a path inside {@code directory} (the directory too). */
    static List<String> during(Path directory, Runnable action) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(STRACE), "strace not installed (apt-get install strace)");
        Path log = Files.createTempFile("strace", ".log");
        Path marker = Files.createTempFile("strace-marker", ".txt");
        Process strace = new ProcessBuilder(STRACE.toString(), "-f", "-qq", "-y", "-o", log.toString(),
                "-e", "trace=fsync,fdatasync,rename,renameat,renameat2,link,linkat",
                "-p", Long.toString(ProcessHandle.current().pid()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        try {
            awaitTraced(strace, log, marker, "start");
            action.run();
            awaitTraced(strace, log, marker, "end");
        } finally {
            strace.destroy();
            strace.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(marker);
        }
        try {
            return between(Files.readAllLines(log), marker.toString() + ".start", marker.toString() + ".end", directory.toString());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Renames the marker to a new name until strace reports it: from then on this thread is traced. */
    private static void awaitTraced(Process strace, Path log, Path marker, String phase) throws IOException, InterruptedException {
        Path named = marker.resolveSibling(marker.getFileName() + "." + phase);
        for (int i = 0; i < 200; i++) {
            Files.move(marker, named);
            Files.move(named, marker);
            if (Files.readString(log).contains(named.toString())) return;
            if (!strace.isAlive()) {
                Assumptions.abort("strace cannot attach to this JVM: " + new String(strace.getInputStream().readAllBytes()).strip());
            }
            Thread.sleep(50);
        }
        Assumptions.abort("strace attached to this JVM but reported nothing in 10 seconds");
    }

    private static List<String> between(List<String> lines, String start, String end, String directory) {
        List<String> calls = new ArrayList<>();
        boolean started = false;
        for (String line : lines) {
            if (line.contains(end)) break;
            if (line.contains(start)) {
                started = true;
                continue;
            }
            Matcher call = CALL.matcher(line);
            if (!started || !call.matches() || !call.group(2).contains(directory)) continue;
            calls.add(simple(call.group(1), call.group(2)));
        }
        return calls;
    }

    private static String simple(String name, String arguments) {
        List<String> paths = new ArrayList<>();
        Matcher path = PATH.matcher(arguments);
        while (path.find()) paths.add(path.group(1) != null ? path.group(1) : path.group(2));
        String verb = name.startsWith("rename") ? "rename" : name.startsWith("link") ? "link" : "sync";
        // The *at forms name their directory descriptors too (AT_FDCWD, or <dir>): the last two are the files.
        List<String> files = verb.equals("sync") ? paths.subList(0, 1) : paths.subList(paths.size() - 2, paths.size());
        return verb + " " + String.join(" ", files);
    }
}
