import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The checks of issue 5 ("border mail server" end to end), each a method that
 * throws {@link AssertionError} with the evidence (commands, outputs, maillog)
 * when the system does not behave. They run against a built
 * {@link E2eBorderMta} (after {@link E2eBorderMta#buildAll()}), in the order
 * listed in tests/e2e/README.md, and work with either postmulti flavor, so the
 * same checks validate the harness against the real C postmulti today and our
 * tool once its -e/-p/-x modes exist.
 *
 * <p>Each check leaves all three instances running (and the hub emptied of
 * what it counted), so they can follow one another on one sandbox.
 */
public final class E2eBorderChecks {

    private E2eBorderChecks() {
    }

    /** smtp-source's Message-Id: {@code <PID.FD.SEQ@client.example.net>} (hex fields). */
    static final Pattern SOURCE_ID = Pattern.compile("<[0-9a-f]+\\.[0-9a-f]+\\.[0-9a-f]+@client\\.example\\.net>");

    /** postmulti -l: the three instances, in start order, enabled, with their groups. */
    public static List<String> listShowsThreeInstances(E2eBorderMta b) {
        SandboxedPostfix.Result r = b.postmultiOk("-l");
        List<String> lines = r.stdout.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
        check(lines.size() == 3, "postmulti -l lists 3 instances", r);
        String primaryDir = b.flavor == E2eBorderMta.Flavor.OURS ? b.primary().toString() : "/etc/postfix";
        expectListLine(lines.get(0), "-", "-", "y", primaryDir, r);
        expectListLine(lines.get(1), "postfix-out", "mta", "y", b.outConfig().toString(), r);
        expectListLine(lines.get(2), "postfix-in", "mta", "y", b.inConfig().toString(), r);
        SandboxedPostfix.Result group = b.postmultiOk("-l", "-g", "mta");
        check(group.stdout.lines().filter(l -> !l.isBlank()).count() == 2, "postmulti -l -g mta lists the 2 members", group);
        return lines;
    }

    private static void expectListLine(String line, String name, String group, String enabled, String dir,
                                       SandboxedPostfix.Result r) {
        String[] f = line.trim().split("\\s+");
        check(f.length == 4 && f[0].equals(name) && f[1].equals(group) && f[2].equals(enabled) && f[3].equals(dir),
            "postmulti -l line '" + line + "' is: " + name + " " + group + " " + enabled + " " + dir, r);
    }

    /**
     * "postfix stop" then "postfix start" (no -c: through multi_instance_wrapper)
     * stop and start all three, the output instance started before the input
     * instance and stopped after it. Returns {stop ms, start ms}.
     */
    public static long[] postfixStopStartDrivesAllThree(E2eBorderMta b) {
        long t0 = System.nanoTime();
        SandboxedPostfix.Result stop = b.postfix("stop");
        long stopMs = (System.nanoTime() - t0) / 1_000_000;
        check(stop.ok(), "postfix stop exits 0", stop);
        for (Path dir : List.of(b.primary(), b.outConfig(), b.inConfig())) {
            check(!running(b, dir), "after postfix stop, " + dir + " is not running", stop);
        }
        List<String> stopping = instancesSaying(stop, "stopping the Postfix mail system");
        check(stopping.equals(List.of("postfix-in", "postfix-out", "postfix")),
            "postfix stop: input, then output, then primary (order " + stopping + ")", stop);

        t0 = System.nanoTime();
        SandboxedPostfix.Result start = b.postfix("start");
        long startMs = (System.nanoTime() - t0) / 1_000_000;
        check(start.ok(), "postfix start exits 0", start);
        for (Path dir : List.of(b.primary(), b.outConfig(), b.inConfig())) {
            check(running(b, dir), "after postfix start, " + dir + " is running", start);
        }
        List<String> starting = instancesSaying(start, "starting the Postfix mail system");
        check(starting.equals(List.of("postfix", "postfix-out", "postfix-in")),
            "postfix start: primary, then output, then input (order " + starting + ")", start);
        if (b.flavor == E2eBorderMta.Flavor.OURS) {
            check(b.wrapperCalls().contains("-p -- stop") && b.wrapperCalls().contains("-p -- start"),
                "postfix stop/start went through our tool as multi_instance_wrapper (wrapper log: "
                    + b.wrapperCalls() + ")", start);
        }
        return new long[] {stopMs, startMs};
    }

    /** Is the master of this instance running ({@code postfix -c DIR status}, single instance)? */
    public static boolean running(E2eBorderMta b, Path configDir) {
        return b.sb.run("postfix", "-c", configDir.toString(), "status").ok();
    }

    /**
     * Instance names (syslog names) whose postfix-script said {@code text} in a command's
     * terminal output ({@code postfix-in/postfix-script: stopping the Postfix mail system}),
     * in order. The terminal, not the maillog: each instance's postlogd writes the shared
     * maillog file asynchronously, and one being stopped may drop its last lines.
     */
    public static List<String> instancesSaying(SandboxedPostfix.Result r, String text) {
        Pattern p = Pattern.compile("(?:^|\\s)(postfix(?:-[a-z]+)?)/postfix-script(?:\\[\\d+\\])?: " + Pattern.quote(text));
        List<String> names = new ArrayList<>();
        for (String line : r.stdout.lines().collect(Collectors.toList())) {
            Matcher m = p.matcher(line);
            if (m.find()) names.add(m.group(1));
        }
        return names;
    }

    /**
     * smtp-source sends N messages into postfix-in; every one reaches the hub
     * exactly once (by Message-ID), through the content filter (its header),
     * with XFORWARD passed through (postfix-out logs orig_queue_id). Returns
     * messages per second, end to end.
     */
    public static double mailFlowNoneLostNoneDuplicated(E2eBorderMta b, int n, int sessions) throws InterruptedException {
        b.hub().clear();
        long t0 = System.nanoTime();
        SandboxedPostfix.Result src = b.smtpSource(n, sessions, 1000, Duration.ofMinutes(10));
        check(src.ok(), "smtp-source delivered " + n + " messages into postfix-in", src);
        int got = b.hub().awaitMessages(n, Duration.ofMinutes(5));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Integer> counts = b.hub().messageIdCounts();
        check(got == n && counts.size() == n, "all " + n + " messages at the hub, once each (got " + got
            + " files, " + counts.size() + " distinct ids, duplicates " + b.hub().duplicates() + ")", src);
        List<SmtpSink.Message> msgs = b.hub().messages();
        long viaFilter = msgs.stream().filter(m -> ContentFilterProxy.DEFAULT_HEADER.equals(
            "X-Content-Filter: " + m.header("X-Content-Filter"))).count();
        check(viaFilter == n, "every message passed the content filter (" + viaFilter + " of " + n + ")", src);
        check(counts.keySet().stream().allMatch(id -> SOURCE_ID.matcher(id).matches()),
            "every id is one of smtp-source's", src);
        check(!b.maillogLines("postfix-out/smtpd\\[\\d+\\]: \\w+: client=.*orig_queue_id=").isEmpty(),
            "postfix-out received XFORWARD attributes (orig_queue_id in its log)", src);
        b.hub().clear();
        return n / seconds;
    }

    /**
     * The walkthrough's null-client test: {@code sendmail -i -f root -t} with
     * From: root, To: root reaches the hub with the generic-map-rewritten
     * sender (mtaadmin+root=mta1@example.com) and the virtual alias recipient.
     */
    public static SmtpSink.Message nullClientSubmissionIsRewritten(E2eBorderMta b) throws InterruptedException {
        b.hub().clear();
        SandboxedPostfix.Result r = b.sendmailAsRoot("null client test");
        check(r.ok(), "sendmail -i -f root -t", r);
        check(b.hub().awaitMessages(1, Duration.ofSeconds(60)) == 1, "the null client's message reached the hub", r);
        SmtpSink.Message m = b.hub().messages().get(0);
        check("mtaadmin+root=mta1@example.com".equals(m.header("From")), "From: " + m.header("From"), r);
        check("mtaadmin+root=mta1@example.com".equals(m.envelopeSender()), "MAIL FROM " + m.envelopeSender(), r);
        check(m.envelopeRecipients().equals(List.of("mtaadmin@example.com")),
            "RCPT TO " + m.envelopeRecipients() + " (virtual: root -> mtaadmin)", r);
        check("null client test".equals(m.header("Subject")), "Subject", r);
        check(m.header("X-Content-Filter") == null, "local submission does not pass the mta group", r);
        b.hub().clear();
        return m;
    }

    /**
     * While smtp-source pushes N messages: postmulti -i postfix-out -p stop,
     * wait, -p start, -p flush; then -g mta -p flush (the deferred mail sits
     * in postfix-in, which a flush of postfix-out does not touch). No message
     * may be lost. Returns the duplicates (Message-ID to how it came about, see
     * {@link #duplicateOrigins}): a stop while smtpd is between "queued" and
     * sending 250 makes the sender retry a message that was already accepted,
     * and an smtp client stopped between the hub's 250 and marking the recipient
     * done delivers it again after the restart (SMTP's inherent windows; seen with
     * the real postmulti too).
     */
    public static Map<String, String> outputRestartLosesNothing(E2eBorderMta b, int n, int sessions, Duration outage)
            throws Exception {
        b.hub().clear();
        Process src = b.smtpSourceAsync(n, sessions, 1000);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (b.hub().fileCount() < n / 5 && src.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        SandboxedPostfix.Result stop = b.postmulti("-i", "postfix-out", "-p", "stop");
        check(stop.ok(), "postmulti -i postfix-out -p stop", stop);
        check(!running(b, b.outConfig()), "postfix-out stopped", stop);
        check(running(b, b.inConfig()), "postfix-in still running", stop);
        Thread.sleep(outage.toMillis());
        SandboxedPostfix.Result start = b.postmulti("-i", "postfix-out", "-p", "start");
        check(start.ok(), "postmulti -i postfix-out -p start", start);
        SandboxedPostfix.Result flush = b.postmulti("-i", "postfix-out", "-p", "flush");
        check(flush.ok(), "postmulti -i postfix-out -p flush", flush);
        src.waitFor();
        check(src.exitValue() == 0, "smtp-source finished: " + SandboxedPostfix.readLog(
            b.sb.logDir().resolve("smtp-source.log")), flush);
        SandboxedPostfix.Result groupFlush = b.postmulti("-g", "mta", "-p", "flush");
        check(groupFlush.ok(), "postmulti -g mta -p flush", groupFlush);
        b.hub().awaitMessages(n, Duration.ofMinutes(5));
        check(b.awaitQueuesEmpty(Duration.ofMinutes(2)), "all queues drained", groupFlush);
        Map<String, Integer> counts = b.hub().messageIdCounts();
        check(counts.size() == n, "none lost across the postfix-out restart: " + counts.size() + " of " + n
            + " distinct ids arrived", groupFlush);
        Map<String, String> dups = duplicateOrigins(b.hub());
        b.hub().clear();
        return dups;
    }

    /** Postfix's Received: header, "... by HOST (Postfix) with PROTO id QUEUEID ...". */
    static final Pattern POSTFIX_RECEIVED = Pattern.compile("\\bby (\\S+) \\(Postfix\\) with \\S+ id (\\w+)");

    /**
     * For each Message-ID that arrived more than once: how many copies, and the queue
     * ids postfix-in and postfix-out gave each copy (from their Received: headers).
     * The same postfix-out queue id twice: postfix-out delivered one queue file twice.
     * Different postfix-out ids: postfix-in sent the message twice.
     */
    public static Map<String, String> duplicateOrigins(SmtpSink hub) {
        Map<String, List<SmtpSink.Message>> byId = new TreeMap<>();
        for (SmtpSink.Message m : hub.messages()) {
            if (m.messageId() != null) byId.computeIfAbsent(m.messageId(), k -> new ArrayList<>()).add(m);
        }
        Map<String, String> out = new TreeMap<>();
        byId.forEach((id, copies) -> {
            if (copies.size() < 2) return;
            List<String> outIds = new ArrayList<>();
            List<String> inIds = new ArrayList<>();
            for (SmtpSink.Message m : copies) {
                for (String received : m.headers("Received")) {
                    Matcher r = POSTFIX_RECEIVED.matcher(received);
                    if (!r.find()) continue;
                    if (r.group(1).equals(E2eBorderMta.OUT_HOST)) outIds.add(r.group(2));
                    if (r.group(1).equals(E2eBorderMta.IN_HOST)) inIds.add(r.group(2));
                }
            }
            String how = new HashSet<>(outIds).size() < outIds.size()
                ? "postfix-out delivered one queue file more than once"
                : "postfix-in sent it more than once";
            out.put(id, copies.size() + " copies, postfix-in ids " + inIds + ", postfix-out ids " + outIds + ": " + how);
        });
        return out;
    }

    /**
     * postmulti -g mta -p status|reload|stop act on postfix-out and postfix-in
     * only; the null client keeps running. Ends with -g mta -p start.
     */
    public static void groupOperationsActOnTheGroupOnly(E2eBorderMta b) {
        SandboxedPostfix.Result status = b.postmulti("-g", "mta", "-p", "status");
        check(status.ok(), "postmulti -g mta -p status", status);
        List<String> statusOf = instancesSaying(status, "the Postfix mail system is running");
        check(statusOf.equals(List.of("postfix-out", "postfix-in")), "status reported for " + statusOf, status);

        SandboxedPostfix.Result reload = b.postmulti("-g", "mta", "-p", "reload");
        check(reload.ok(), "postmulti -g mta -p reload", reload);
        List<String> reloaded = instancesSaying(reload, "refreshing the Postfix mail system");
        check(reloaded.equals(List.of("postfix-out", "postfix-in")), "reload reached " + reloaded, reload);

        SandboxedPostfix.Result stop = b.postmulti("-g", "mta", "-p", "stop");
        check(stop.ok(), "postmulti -g mta -p stop", stop);
        List<String> stopped = instancesSaying(stop, "stopping the Postfix mail system");
        check(stopped.equals(List.of("postfix-in", "postfix-out")), "stop reached (in order) " + stopped, stop);
        check(!running(b, b.outConfig()) && !running(b, b.inConfig()), "both members stopped", stop);
        check(running(b, b.primary()), "the null client (not in the group) still runs", stop);

        SandboxedPostfix.Result start = b.postmulti("-g", "mta", "-p", "start");
        check(start.ok(), "postmulti -g mta -p start", start);
        check(running(b, b.outConfig()) && running(b, b.inConfig()), "both members running again", start);
    }

    /** Wall time of {@code postmulti -p start} for all three instances (after {@code postmulti -p stop}). */
    public static long[] timePostmultiStopStart(E2eBorderMta b) {
        long t0 = System.nanoTime();
        SandboxedPostfix.Result stop = b.postmulti("-p", "stop");
        long stopMs = (System.nanoTime() - t0) / 1_000_000;
        check(stop.ok(), "postmulti -p stop", stop);
        t0 = System.nanoTime();
        SandboxedPostfix.Result start = b.postmulti("-p", "start");
        long startMs = (System.nanoTime() - t0) / 1_000_000;
        check(start.ok(), "postmulti -p start", start);
        return new long[] {stopMs, startMs};
    }

    static void check(boolean ok, String what, SandboxedPostfix.Result evidence) {
        if (!ok) throw new AssertionError(what + "\n" + evidence);
    }
}
