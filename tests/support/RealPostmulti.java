import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs the real C postmulti (the oracle) against a fixture tree. It only reads /etc/postfix, so
 * it runs in a private mount namespace with the fixture's primary directory bound there (and any
 * further bind mounts given). It writes diagnostics only to a terminal, so stderr is a
 * pseudo-terminal (script(1)) while stdout goes to a file.
 */
final class RealPostmulti {
    static final Path BINARY = Path.of("/usr/sbin/postmulti");

    private RealPostmulti() {
    }

    /** Why the oracle cannot run here, or null when it can. */
    static String unavailableReason() {
        // bench/mutation.sh: a mutant lives in PIT's JVM; the oracle, run for each mutant, would only add minutes.
        if (System.getenv("POSTMULTI_TEST_NO_REAL_POSTMULTI") != null) return "POSTMULTI_TEST_NO_REAL_POSTMULTI is set";
        if (!Files.isExecutable(BINARY)) return "real postmulti not installed (apt-get install postfix)";
        if (!"root".equals(System.getProperty("user.name"))) return "needs root for unshare -m";
        if (!Files.isExecutable(Path.of("/usr/bin/script"))) return "script(1) not installed";
        if (!Files.isExecutable(Path.of("/usr/bin/unshare"))) return "unshare(1) not installed";
        return null;
    }

    /**
     * Whether the oracle can answer here. When it cannot, the test goes on with its own checks
     * and then ends SKIPPED with the reason (see {@link ComparedWithReal}).
     */
    static boolean canCompare() {
        String why = unavailableReason();
        if (why != null) ComparedWithReal.missed(why);
        return why == null;
    }

    static Tool.Result run(Path primaryConfigDirectory, String... args) {
        return run(Map.of(Path.of("/etc/postfix"), primaryConfigDirectory), Map.of(), args);
    }

    /** Runs with its standard output sent to {@code stdout} (a device, say); the result's stdout is empty. */
    static Tool.Result runWithStdout(Path primaryConfigDirectory, String stdout, String... args) {
        return run(Map.of(Path.of("/etc/postfix"), primaryConfigDirectory), Map.of(), stdout, args);
    }

    /**
     * Runs with its standard output piped into the shell command {@code consumer}; the result
     * has the real postmulti's exit status (as the shell reports it: 141 when SIGPIPE killed
     * it) and its stderr, and no stdout.
     */
    static Tool.Result runPipedInto(Path primaryConfigDirectory, String consumer, String... args) {
        try {
            Path status = Files.createTempFile("real-status", ".txt");
            try {
                String inner = "{ " + BINARY + " " + quoteAll(List.of(args)) + "; echo $? >" + quote(status.toString()) + "; } | " + consumer + " >/dev/null";
                Tool.Result raw = inNamespace(Map.of(Path.of("/etc/postfix"), primaryConfigDirectory), Map.of(), inner);
                return new Tool.Result(Integer.parseInt(Files.readString(status).strip()), "", raw.out().replace("\r\n", "\n"));
            } finally {
                Files.deleteIfExists(status);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs with each key (a path on the host) replaced by its value (a fixture path) in a private mount namespace. */
    static Tool.Result run(Map<Path, Path> bindMounts, Map<String, String> environment, String... args) {
        return run(bindMounts, environment, null, args);
    }

    /** A shell command run on a terminal (script(1)) in a private mount namespace with the bind mounts. */
    private static Tool.Result inNamespace(Map<Path, Path> bindMounts, Map<String, String> environment, String inner) {
        String mounts = bindMounts.entrySet().stream()
                .map(e -> "mount --bind " + quote(e.getValue().toString()) + " " + quote(e.getKey().toString()))
                .collect(Collectors.joining(" && "));
        String outer = (mounts.isEmpty() ? "" : mounts + " && ") + "exec script -qec " + quote(inner) + " /dev/null";
        return Tool.exec(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", outer), environment, null);
    }

    private static Tool.Result run(Map<Path, Path> bindMounts, Map<String, String> environment, String stdout, String... args) {
        try {
            Path out = Files.createTempFile("real-out", ".txt");
            try {
                String inner = "exec " + BINARY + " " + quoteAll(List.of(args)) + " >" + quote(stdout != null ? stdout : out.toString());
                Tool.Result raw = inNamespace(bindMounts, environment, inner);
                String captured = Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1);
                return new Tool.Result(raw.status(), captured, raw.out().replace("\r\n", "\n"));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    static String quoteAll(List<String> words) {
        return words.stream().map(RealPostmulti::quote).collect(Collectors.joining(" "));
    }
}
