import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Our tool in this JVM with exactly the given arguments (no {@code -c} added, unlike
 * {@link FixtureTree#run}), its stdout and stderr captured. Arguments may hold what no real argv
 * can, a NUL character say.
 */
final class InProcess {
    private InProcess() {
    }

    static FixtureTree.Run run(String... args) {
        return run(Map.of(), args);
    }

    static FixtureTree.Run run(Map<String, String> extraEnvironment, String... args) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.remove("MAIL_CONFIG");
        environment.putAll(extraEnvironment);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Msg.redirect(new PrintStream(err, true, StandardCharsets.ISO_8859_1));
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.ISO_8859_1)) {
            int status = new postmulti().run(args, environment, outStream);
            outStream.flush();
            return new FixtureTree.Run(status, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
        } finally {
            Msg.redirect(System.err);
        }
    }
}
