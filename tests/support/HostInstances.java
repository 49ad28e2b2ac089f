import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a sandbox's Postfix instances are doing, seen from outside Postfix and postmulti: the
 * master processes (found in /proc by name and working directory, which master sets to its
 * queue directory) and the TCP sockets listening in the sandbox's network namespace.
 */
final class HostInstances {
    private static final String LISTEN = "0A";

    private HostInstances() {
    }

    /** The pid of the master process whose working directory is {@code queueDirectory}, if one runs. */
    static Optional<Long> master(SandboxedPostfix sandbox, Path queueDirectory) {
        for (long pid : sandbox.processesInside()) {
            Path proc = Path.of("/proc", Long.toString(pid));
            try {
                if (Files.readString(proc.resolve("comm")).strip().equals("master")
                        && Files.readSymbolicLink(proc.resolve("cwd")).equals(queueDirectory)) {
                    return Optional.of(pid);
                }
            } catch (IOException e) {
                // gone meanwhile
            }
        }
        return Optional.empty();
    }

    /** Whether something listens on 127.0.0.1:{@code port} inside the sandbox (its /proc/net/tcp). */
    static boolean listening(SandboxedPostfix sandbox, int port) {
        String local = String.format("0100007F:%04X", port);
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(sandbox.holderPid()), "net/tcp"));
            return lines.stream().skip(1).map(line -> line.trim().split("\\s+"))
                    .anyMatch(field -> field[1].equals(local) && field[3].equals(LISTEN));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
