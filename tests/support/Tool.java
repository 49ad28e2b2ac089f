import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs our postmulti as a separate JVM, as an admin would, and captures what it prints. */
final class Tool {
    record Result(int status, String out, String err) {
        String both() {
            return out + err;
        }
    }

    private Tool() {
    }

    /** The java command line that starts our tool (the test runner's classpath holds it). */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), "postmulti"));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code -c <configDirectory> args...}: the arguments for our tool with that primary. */
    static String[] withConfigDirectory(Path configDirectory, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "-c";
        all[1] = configDirectory.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }

    static Result run(String... args) {
        return run(Map.of(), null, args);
    }

    /** Runs with extra environment settings (a null value removes the variable) and stdin from /dev/null. */
    static Result run(Map<String, String> environment, String stdin, String... args) {
        return exec(command(args), environment, stdin);
    }

    static Result exec(List<String> command, Map<String, String> environment, String stdin) {
        try {
            Path out = Files.createTempFile("tool-out", ".txt");
            Path err = Files.createTempFile("tool-err", ".txt");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
                environment.forEach((name, value) -> {
                    if (value == null) builder.environment().remove(name);
                    else builder.environment().put(name, value);
                });
                if (stdin == null) builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                Process process = builder.start();
                if (stdin != null) {
                    process.getOutputStream().write(stdin.getBytes(StandardCharsets.ISO_8859_1));
                    process.getOutputStream().close();
                }
                if (!process.waitFor(300, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("timed out: " + command);
                }
                return new Result(process.exitValue(), read(out), read(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    }
}
