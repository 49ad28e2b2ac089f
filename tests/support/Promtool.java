import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Prometheus's own checker of the text exposition format (Debian package prometheus). */
final class Promtool {
    private Promtool() {
    }

    /** What {@code promtool check metrics} says about the text: "" when it passes (exit 0, no lint). */
    static String check(String exposition) throws IOException, InterruptedException {
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = promtool.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!promtool.waitFor(60, TimeUnit.SECONDS)) promtool.destroyForcibly();
        return promtool.exitValue() == 0 ? said : "exit " + promtool.exitValue() + ": " + said;
    }
}
