import java.util.List;

/**
 * postmulti's way of running a command, alone in a JVM of its own: runs its arguments through
 * {@link Launcher} with this JVM's environment and exits with the status, so that tests can
 * give it a pipe or a terminal and send it signals.
 */
final class LaunchProbe {
    private LaunchProbe() {
    }

    public static void main(String[] args) {
        System.exit(Launcher.run(List.of(args), System.getenv()));
    }
}
