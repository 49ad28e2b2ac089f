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

import java.time.Duration;
import java.util.Map;

/**
 * Runs the whole border-MTA scenario of issue 5 once, in a fresh sandbox,
 * and prints each check with PASS/FAIL and its timing. Not a test: a dress
 * rehearsal for the suite (tests/BorderMtaE2eTest.java) and a way to see the
 * same scenario with the real C postmulti (the oracle).
 *
 * <pre>
 *   ./jbang tests/e2e/rehearse.java [--real|--ours] [-n MESSAGES] [-s SESSIONS] [--keep-going]
 * </pre>
 * Needs root, Postfix, and permission to create namespaces; exits 2 (with the
 * reason) when those are missing, 1 when a check failed.
 */
class rehearse {
    public static void main(String[] args) throws Exception {
        E2eScriptOptions options = new E2eScriptOptions("rehearse", "[--keep-going]");
        boolean keepGoing = false;
        for (int i = 0; i < args.length; i++) {
            int taken = options.take(args, i);
            if (taken >= 0) i = taken;
            else if (args[i].equals("--keep-going")) keepGoing = true;
            else options.exitWithUsage();
        }
        options.exitUnlessSandboxAvailable();
        E2eBorderMta.Flavor flavor = options.flavor;
        final int messages = options.messages;
        final int parallel = options.sessions;
        int failures = 0;
        try (SandboxedPostfix sb = SandboxedPostfix.create(); E2eBorderMta b = new E2eBorderMta(sb, flavor)) {
            System.out.println("sandbox " + sb.root() + " (flavor " + flavor + ", " + messages + " messages)");
            failures += step("build the walkthrough's 3 instances + filter + hub", keepGoing, () -> {
                Map<String, Long> times = b.buildAll();
                return times.toString();
            }, b);
            failures += step("postmulti -l shows the three instances", keepGoing,
                () -> String.join(" | ", E2eBorderChecks.listShowsThreeInstances(b)), b);
            failures += step("postfix stop / postfix start drive all three, in order", keepGoing, () -> {
                long[] t = E2eBorderChecks.postfixStopStartDrivesAllThree(b);
                return "stop " + t[0] + " ms, start " + t[1] + " ms";
            }, b);
            failures += step("null client: sendmail reaches the hub, sender rewritten", keepGoing,
                () -> "From: " + E2eBorderChecks.nullClientSubmissionIsRewritten(b).header("From"), b);
            failures += step(messages + " messages: none lost, none duplicated", keepGoing,
                () -> String.format("%.0f msg/s end to end",
                    E2eBorderChecks.mailFlowNoneLostNoneDuplicated(b, messages, parallel)), b);
            failures += step("postfix-out stop/start/flush while mail flows: none lost", keepGoing,
                () -> "duplicates: " + E2eBorderChecks.outputRestartLosesNothing(b, messages, parallel,
                    Duration.ofSeconds(3)), b);
            failures += step("postmulti -g mta -p status|reload|stop: the group only", keepGoing, () -> {
                E2eBorderChecks.groupOperationsActOnTheGroupOnly(b);
                return "";
            }, b);
            failures += step("postmulti -p stop / -p start (3 instances)", keepGoing, () -> {
                long[] t = E2eBorderChecks.timePostmultiStopStart(b);
                return "stop " + t[0] + " ms, start " + t[1] + " ms";
            }, b);
        }
        System.out.println(failures == 0 ? "all checks passed" : failures + " check(s) failed");
        System.exit(failures == 0 ? 0 : 1);
    }

    interface Check {
        String run() throws Exception;
    }

    static int step(String name, boolean keepGoing, Check check, E2eBorderMta b) {
        long t0 = System.nanoTime();
        try {
            String detail = check.run();
            System.out.printf("PASS %-60s %6d ms  %s%n", name, (System.nanoTime() - t0) / 1_000_000, detail);
            return 0;
        } catch (Throwable e) {
            System.out.printf("FAIL %-60s %6d ms%n%s%n--- maillog (tail)%n%s%n", name,
                (System.nanoTime() - t0) / 1_000_000, e, E2eBorderMta.tail(b.maillog(), 30));
            if (!keepGoing) throw new IllegalStateException("stopping after a failed check (use --keep-going)", e);
            return 1;
        }
    }
}
