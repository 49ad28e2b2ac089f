import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real postconf (the oracle for main.cf reading, expansion and editing) on a
 * configuration directory. Its warnings on stderr are kept apart from stdout.
 */
final class Postconf {
    static final Path BINARY = Path.of("/usr/sbin/postconf");

    /** What postconf printed and its exit status; stdout as bytes, since values may be any bytes. */
    record Result(int status, byte[] stdout, String stderr) {
        /** stdout as a byte string (one char per byte). */
        String out() {
            return new String(stdout, StandardCharsets.ISO_8859_1);
        }
    }

    private Postconf() {
    }

    /** Why the oracle cannot run here, or null when it can. */
    static String unavailableReason() {
        if (!Files.isExecutable(BINARY)) return "real postconf not installed (apt-get install postfix)";
        if (!"root".equals(System.getProperty("user.name"))) return "postconf -c on a private directory needs root";
        return null;
    }

    static boolean available() {
        return unavailableReason() == null;
    }

    /** postconf -c DIR ARGS..., with MAIL_CONFIG removed so nothing else is read. */
    static Result run(Path configDirectory, String... args) {
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "-c", configDirectory.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().remove("MAIL_CONFIG");
        try {
            Process process = builder.start();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = new Thread(() -> copy(process.getErrorStream(), err));
            errReader.start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("postconf timed out: " + command);
            }
            errReader.join();
            return new Result(process.exitValue(), out, err.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A fresh configuration directory holding this main.cf (and an empty master.cf, to keep postconf quiet). */
    static Path directoryWith(Path parent, String name, byte[] mainCf) {
        try {
            Path directory = Files.createDirectories(parent.resolve(name));
            Files.write(directory.resolve("main.cf"), mainCf);
            Files.write(directory.resolve("master.cf"), new byte[0]);
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // The process ended; what was read is what there is.
        }
    }
}
