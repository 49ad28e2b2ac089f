///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS org.apache.commons:commons-exec:1.5.0
//SOURCES ../../postmulti.java
//SOURCES ../../lib/cli/*.java ../../lib/modes/*.java ../../lib/instances/*.java ../../lib/plan/*.java
//SOURCES ../../lib/maincf/*.java ../../lib/process/*.java ../../lib/host/*.java
//SOURCES ../support/SandboxedPostfix.java
//SOURCES ../support/SmtpSink.java
//SOURCES ../support/ContentFilterProxy.java
//SOURCES ../support/E2ePostmulti.java
//SOURCES ../support/E2eBorderMta.java
//SOURCES ../support/E2eBorderChecks.java
//SOURCES ../support/E2eScriptOptions.java
//COMPILE_OPTIONS -encoding UTF-8

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Benchmark of the border-MTA system (not a timed test): builds the
 * walkthrough's three instances in a sandbox, then prints
 * <ul>
 * <li>the wall time of {@code postmulti -p start} (and {@code -p stop}) for the three instances, over R rounds;</li>
 * <li>end-to-end messages per second: smtp-source into postfix-in, through the
 *     content filter and postfix-out, until the last one is at the hub.</li>
 * </ul>
 * <pre>
 *   ./jbang tests/e2e/bench.java [--real|--ours] [-n MESSAGES] [-s SESSIONS] [-r ROUNDS]
 * </pre>
 * Defaults: our postmulti, 2000 messages, 10 sessions, 5 rounds. Needs root,
 * Postfix and namespaces (exits 2 with the reason otherwise).
 */
class bench {
    public static void main(String[] args) throws Exception {
        E2eScriptOptions options = new E2eScriptOptions("bench", "[-r ROUNDS]");
        int rounds = 5;
        for (int i = 0; i < args.length; i++) {
            int taken = options.take(args, i);
            if (taken >= 0) i = taken;
            else if (args[i].equals("-r")) rounds = Integer.parseInt(args[++i]);
            else options.exitWithUsage();
        }
        options.exitUnlessSandboxAvailable();
        E2eBorderMta.Flavor flavor = options.flavor;
        int n = options.messages;
        int sessions = options.sessions;
        try (SandboxedPostfix sb = SandboxedPostfix.create(); E2eBorderMta b = new E2eBorderMta(sb, flavor)) {
            b.buildAll();
            List<Long> starts = new ArrayList<>();
            List<Long> stops = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long[] t = E2eBorderChecks.timePostmultiStopStart(b);
                stops.add(t[0]);
                starts.add(t[1]);
            }
            System.out.printf("postmulti (%s) -p start, 3 instances: median %d ms  (rounds: %s)%n",
                flavor.name().toLowerCase(), median(starts), starts);
            System.out.printf("postmulti (%s) -p stop,  3 instances: median %d ms  (rounds: %s)%n",
                flavor.name().toLowerCase(), median(stops), stops);
            double rate = E2eBorderChecks.mailFlowNoneLostNoneDuplicated(b, n, sessions);
            System.out.printf("end to end: %d messages, %d sessions: %.1f messages/second (none lost, none duplicated)%n",
                n, sessions, rate);
        }
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
