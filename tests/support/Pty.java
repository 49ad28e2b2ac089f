import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A command run under a pseudo-terminal, as from an interactive shell: util-linux
 * {@code script -qec CMD /dev/null} makes the terminal the command's controlling terminal,
 * copies what we type into it (so Ctrl-C becomes SIGINT for its foreground process group)
 * and copies its output back to us.
 */
final class Pty implements AutoCloseable {
    static final String CTRL_C = "\u0003";

    private final Process script;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;

    private Pty(Process script) {
        this.script = script;
        this.reader = new Thread(this::copyOutput, "pty output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The command is exec'ed by script's shell, so it leads nothing and is the foreground job. */
    static Pty start(List<String> command) throws IOException {
        String line = "exec " + command.stream().map(Pty::quote).collect(Collectors.joining(" "));
        ProcessBuilder builder = new ProcessBuilder("script", "-qec", line, "/dev/null");
        builder.redirectErrorStream(true);
        return new Pty(builder.start());
    }

    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    void type(String keys) throws IOException {
        OutputStream keyboard = script.getOutputStream();
        keyboard.write(keys.getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    /** Waits until the output contains {@code text}; false if it did not within the timeout. */
    boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output.toString().contains(text)) {
            if (System.nanoTime() > deadline || !reader.isAlive()) return output.toString().contains(text);
            Thread.sleep(20);
        }
        return true;
    }

    /** The command's exit status as script -e reports it (128+N when killed by signal N). */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!script.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            throw new AssertionError("still running after " + timeout + "; output so far: " + output);
        reader.join(timeout.toMillis());
        return script.exitValue();
    }

    String output() {
        return output.toString();
    }

    private void copyOutput() {
        byte[] buffer = new byte[4096];
        try (InputStream in = script.getInputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        } catch (IOException closedUnderUs) {
            // close() killed script: what was read is all there is.
        }
    }

    @Override
    public void close() {
        script.descendants().forEach(ProcessHandle::destroyForcibly);
        script.destroyForcibly();
    }
}
