import java.util.Optional;

/**
 * What the border-MTA scripts (tests/e2e/bench.java, rehearse.java) share: the options
 * {@code [--real|--ours] [-n MESSAGES] [-s SESSIONS]}, their usage line, and exit status 2
 * with the reason when no sandbox can run here.
 */
final class E2eScriptOptions {
    private final String program;
    private final String moreUsage;
    E2eBorderMta.Flavor flavor = E2eBorderMta.Flavor.OURS;
    int messages = 2000;
    int sessions = 10;

    /** {@code moreUsage}: the script's own options, as its usage line shows them after the shared ones. */
    E2eScriptOptions(String program, String moreUsage) {
        this.program = program;
        this.moreUsage = moreUsage;
    }

    /** Takes {@code args[i]} (and its value) if it is a shared option: the index of the last word taken, else -1. */
    int take(String[] args, int i) {
        switch (args[i]) {
            case "--real": flavor = E2eBorderMta.Flavor.REAL; return i;
            case "--ours": flavor = E2eBorderMta.Flavor.OURS; return i;
            case "-n": messages = Integer.parseInt(args[i + 1]); return i + 1;
            case "-s": sessions = Integer.parseInt(args[i + 1]); return i + 1;
            default: return -1;
        }
    }

    void exitWithUsage() {
        System.err.println("usage: " + program + " [--real|--ours] [-n MESSAGES] [-s SESSIONS] " + moreUsage);
        System.exit(2);
    }

    void exitUnlessSandboxAvailable() {
        Optional<String> why = SandboxedPostfix.unavailableReason();
        if (why.isPresent()) {
            System.err.println(program + ": cannot run here: " + why.get());
            System.exit(2);
        }
    }
}
