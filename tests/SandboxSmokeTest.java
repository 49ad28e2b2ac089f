import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * Proves the sandbox the end-to-end suite builds on (see tests/e2e/README.md):
 * one real Postfix instance, set up with postconf/postfix only (not with our
 * postmulti), runs as the sandbox's default instance; smtp-source pushes
 * messages into it and a local sendmail submission goes through postdrop;
 * everything must arrive once at an smtp-sink hub; the host's Postfix files
 * stay untouched and nothing is left running afterwards.
 *
 * Skipped (with the reason) unless root with Postfix installed and namespaces allowed.
 */
class SandboxSmokeTest {

    static final int HUB_PORT = 10027;
    static final int MESSAGES = Integer.getInteger("sandbox.messages", 10);

    @Test
    void singleInstanceInASandboxDeliversEveryMessageOnce() throws Exception {
        Optional<String> why = SandboxedPostfix.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "sandbox unavailable: " + why.orElse(""));

        String hostMainCf = digest(Paths.get("/etc/postfix/main.cf"));
        String hostMasterCf = digest(Paths.get("/etc/postfix/master.cf"));
        Path root;
        long holderPid;
        List<Long> leftovers;

        try (SandboxedPostfix sb = SandboxedPostfix.create()) {
            root = sb.root();
            holderPid = sb.holderPid();
            Path cfg = sb.primaryConfigDir();

            Map<String, String> main = sb.primarySettings("sandbox.example.test");
            main.put("mydomain", "example.test");
            main.put("myorigin", "$mydomain");
            main.put("relayhost", "[127.0.0.1]:" + HUB_PORT);
            main.put("smtpd_relay_restrictions", "permit_mynetworks, reject");
            SandboxedPostfix.writeMainCf(cfg, main);
            sb.installMasterCf(cfg, "127.0.0.1:25");

            // Inside the sandbox the compiled-in default instance is ours.
            assertEquals(sb.primaryQueueDir().toString(),
                sb.run("postconf", "-h", "queue_directory").orThrow().stdout.trim());

            try (SmtpSink hub = SmtpSink.start(sb, "127.0.0.1", HUB_PORT, sb.root().resolve("hub"))) {
                long t0 = System.nanoTime();
                SandboxedPostfix.Result start = sb.postfix(cfg, "start");
                long startMs = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(start.ok(), () -> start + "\n" + SandboxedPostfix.readLog(sb.maillog("postfix")));
                assertTrue(sb.run("postfix", "status").ok(), "postfix status (default instance) inside the sandbox");

                long t1 = System.nanoTime();
                SandboxedPostfix.Result src = sb.run(List.of("smtp-source", "-m", Integer.toString(MESSAGES),
                    "-s", "2", "-l", "200", "-f", "sender@example.test", "-t", "rcpt@example.com",
                    "127.0.0.1:25"), Map.of(), null, Duration.ofMinutes(5));
                assertTrue(src.ok(), src::toString);

                SandboxedPostfix.Result sendmail = sb.run(List.of("sendmail", "-i", "-f", "root", "-t"), Map.of(),
                    "From: root\nTo: someone@example.com\nSubject: sandbox sendmail\n\ntesting\n",
                    Duration.ofMinutes(1));
                assertTrue(sendmail.ok(), sendmail::toString);

                int got = hub.awaitMessages(MESSAGES + 1, Duration.ofSeconds(60));
                long deliverMs = (System.nanoTime() - t1) / 1_000_000;
                String log = SandboxedPostfix.readLog(sb.maillog("postfix"));
                assertEquals(MESSAGES + 1, got, () -> "messages at the hub\n" + log);
                assertTrue(hub.duplicates().isEmpty(), () -> "duplicates: " + hub.duplicates());
                assertEquals(MESSAGES + 1, hub.messageIdCounts().size());

                SmtpSink.Message local = hub.messages().stream()
                    .filter(m -> "sandbox sendmail".equals(m.header("Subject"))).findFirst().orElseThrow();
                assertEquals("root@example.test", local.envelopeSender(), "myorigin applied to the local sender");
                assertEquals(List.of("someone@example.com"), local.envelopeRecipients());

                System.out.printf("sandbox smoke: postfix start %d ms; %d messages + 1 sendmail delivered in %d ms%n",
                    startMs, MESSAGES, deliverMs);

                SandboxedPostfix.Result stop = sb.postfix(cfg, "stop");
                assertTrue(stop.ok(), stop::toString);
            }
            // master(8) and its children exit shortly after "postfix stop" returns
            long deadline = System.nanoTime() + 10_000_000_000L;
            List<Long> inside = sb.processesInside();
            while (System.nanoTime() < deadline && !inside.stream().allMatch(SandboxSmokeTest::goneOrZombie)) {
                Thread.sleep(100);
                inside = sb.processesInside();
            }
            leftovers = inside;
        }

        assertTrue(leftovers.stream().allMatch(SandboxSmokeTest::goneOrZombie),
            () -> "still running after postfix stop and sink close: " + leftovers);
        assertFalse(Files.exists(root), "sandbox root removed");
        assertTrue(ProcessHandle.of(holderPid).map(p -> !p.isAlive()).orElse(true), "holder gone");
        assertEquals(hostMainCf, digest(Paths.get("/etc/postfix/main.cf")), "host main.cf untouched");
        assertEquals(hostMasterCf, digest(Paths.get("/etc/postfix/master.cf")), "host master.cf untouched");
    }

    static boolean goneOrZombie(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (Exception e) {
            return true;
        }
    }

    static String digest(Path p) throws Exception {
        if (!Files.exists(p)) return "(missing)";
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
