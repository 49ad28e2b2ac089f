import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Our postmulti inside a {@link SandboxedPostfix}: the command line that runs it
 * (a JVM with this JVM's class path, where the tool's classes are compiled), and
 * ROOT/bin/postmulti, a launcher for it to use as {@code multi_instance_wrapper}.
 *
 * <p>The wrapper is installed with the tool's own mechanism: {@code postmulti -e init}
 * writes the C program's {@code ${command_directory}/postmulti -p --} unless the
 * environment variable {@code POSTMULTI_WRAPPER} names another command
 * ({@link #initEnvironment()}).
 *
 * <p>The launcher runs our tool without {@code -c}: postfix(1) calls the wrapper only
 * for the default configuration directory, /etc/postfix, which in the sandbox is
 * the sandbox primary (a bind mount), and exports MAIL_CONFIG=/etc/postfix to it.
 * That is how the tool runs once installed. postfix(1) also scrubs the
 * environment (import_environment), so the launcher uses absolute paths only.
 */
public final class E2ePostmulti {

    private final SandboxedPostfix sb;

    public E2ePostmulti(SandboxedPostfix sandbox) {
        this.sb = sandbox;
    }

    /** JVM options when postmulti.java cannot be found (the runner started elsewhere). */
    static final List<String> FALLBACK_JAVA_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");

    /**
     * {@code java OPTIONS -cp CLASSPATH postmulti} (no -c: the sandbox's /etc/postfix is the
     * primary), OPTIONS being the shipped ones ({@link #javaOptions()}).
     */
    public List<String> commandNoConfig() {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(javaOptions());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "postmulti"));
        return cmd;
    }

    /**
     * The JVM options the tool ships with: the {@code //JAVA_OPTIONS} line of postmulti.java
     * (found from the current directory upwards), so the end-to-end tests run the JVM as
     * {@code ./jbang postmulti.java} does; {@link #FALLBACK_JAVA_OPTIONS} when not found.
     * The environment variable E2E_JAVA_OPTIONS, when set, replaces them (to try options).
     */
    public static List<String> javaOptions() {
        String override = System.getenv("E2E_JAVA_OPTIONS");
        if (override != null && !override.isBlank()) return List.of(override.trim().split("\\s+"));
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve("postmulti.java");
            if (!Files.isRegularFile(script)) continue;
            try {
                for (String line : Files.readAllLines(script)) {
                    if (line.startsWith("//JAVA_OPTIONS ")) {
                        return List.of(line.substring("//JAVA_OPTIONS ".length()).trim().split("\\s+"));
                    }
                    if (!line.startsWith("//") && !line.isBlank()) break;
                }
            } catch (IOException e) {
                break;
            }
            break;
        }
        return FALLBACK_JAVA_OPTIONS;
    }

    /** {@code java ... postmulti -c ROOT/etc/postfix}. */
    public List<String> command() {
        List<String> cmd = commandNoConfig();
        cmd.addAll(List.of("-c", sb.primaryConfigDir().toString()));
        return cmd;
    }

    /** Runs {@code postmulti -c ROOT/etc/postfix ARGS} on a terminal (stdout and stderr merged). */
    public SandboxedPostfix.Result run(String... args) {
        return run(Map.of(), args);
    }

    /** The same with extra environment variables. */
    public SandboxedPostfix.Result run(Map<String, String> env, String... args) {
        List<String> cmd = command();
        cmd.addAll(Arrays.asList(args));
        return sb.runTty(cmd, env, Duration.ofMinutes(3));
    }

    /** ROOT/bin/postmulti, written on first use. */
    public Path launcher() throws IOException {
        Path bin = Files.createDirectories(sb.root().resolve("bin"));
        Path launcher = bin.resolve("postmulti");
        if (Files.isExecutable(launcher)) return launcher;
        String script = "#!/bin/sh\n# our postmulti as multi_instance_wrapper (written by E2ePostmulti)\n"
            + "echo \"$*\" >> " + SandboxedPostfix.shellQuote(wrapperLog().toString()) + "\n"
            + "exec " + commandNoConfig().stream().map(SandboxedPostfix::shellQuote).collect(Collectors.joining(" "))
            + " \"$@\"\n";
        Files.writeString(launcher, script);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return launcher;
    }

    /** The multi_instance_wrapper value: {@code ROOT/bin/postmulti -p --}. */
    public String wrapper() throws IOException {
        return launcher() + " -p --";
    }

    /** The environment under which {@code postmulti -e init} writes {@link #wrapper()}. */
    public Map<String, String> initEnvironment() throws IOException {
        return Map.of("POSTMULTI_WRAPPER", wrapper());
    }

    /** One line per call of the launcher (its arguments). */
    public Path wrapperLog() {
        return sb.logDir().resolve("wrapper.log");
    }

    /** The launcher's calls so far, one string of arguments each. */
    public List<String> wrapperCalls() {
        return SandboxedPostfix.readLog(wrapperLog()).lines().collect(Collectors.toList());
    }
}
