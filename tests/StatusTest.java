import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The parts of -l --status on temporary trees: queue walking (hashed directories at any depth,
 * what is not a message, unreadable queues), the master probe (a lock held by another process,
 * a stale master.pid, never started), and the three output forms.
 */
class StatusTest {
    private Path tree;

    @BeforeEach
    void makeTree() throws IOException {
        tree = Files.createTempDirectory("status-test");
    }

    @AfterEach
    void removeTree() {
        TestFiles.deleteTree(tree);
    }

    private Path file(String relative) {
        Path file = tree.resolve(relative);
        TestFiles.write(file, "queue file\n");
        return file;
    }

    // ---- queues -------------------------------------------------------------

    @Test
    void flatQueueCountsItsFiles() throws IOException {
        file("active/4XyZ1abc");
        file("active/4XyZ2abd");
        assertEquals(2, QueueScan.of(tree.resolve("active")).messages());
    }

    @Test
    void hashedQueuesAreWalkedAtEveryDepth() throws IOException {
        file("deferred/A/4A1");
        file("deferred/B/C/4BC2");   // hash_queue_depth = 2
        file("deferred/4AB3");       // left at depth 0 after hash_queue_names changed
        assertEquals(3, QueueScan.of(tree.resolve("deferred")).messages());
    }

    @Test
    void oneCharacterNamesAreOnlyEverHashDirectories() throws IOException {
        file("hold/4AB1");
        file("hold/X");                                          // a one-character file is no message
        Files.createSymbolicLink(tree.resolve("hold/Z"), tree);  // nor a way out of the queue
        assertEquals(1, QueueScan.of(tree.resolve("hold")).messages());
        assertEquals(1, QueueScan.withAges(tree.resolve("hold")).messages());
    }

    @Test
    void aMissingQueueHoldsNothing() throws IOException {
        assertEquals(QueueScan.Contents.EMPTY, QueueScan.of(tree.resolve("never-started/maildrop")));
    }

    @Test
    void aQueueThatCannotBeReadFails() {
        file("incoming");  // not a directory: as unreadable as a 0700 directory is to nobody
        assertThrows(IOException.class, () -> QueueScan.of(tree.resolve("incoming")));
    }

    @Test
    void oldestAgeIsThatOfTheOldestFile() throws IOException {
        long now = System.currentTimeMillis();
        Files.setLastModifiedTime(file("deferred/A/4A1"), FileTime.fromMillis(now - 3_600_000));
        Files.setLastModifiedTime(file("deferred/4B2"), FileTime.fromMillis(now - 60_000));
        QueueScan.Contents contents = QueueScan.withAges(tree.resolve("deferred"));
        assertEquals(3600, contents.oldestAgeSeconds(now));
        assertEquals(0, QueueScan.of(tree.resolve("deferred")).oldestAgeSeconds(now), "not asked for");
        assertEquals(0, QueueScan.Contents.EMPTY.oldestAgeSeconds(now));
    }

    // ---- the master ---------------------------------------------------------

    @Test
    void lockTableLinesNameHolderAndFile() {
        ProcLocks locks = ProcLocks.parse(List.of(
                "1: FLOCK  ADVISORY  WRITE 16080 fe:00:2147452 0 EOF",
                "1: -> FLOCK  ADVISORY  WRITE 999 fe:00:77 0 EOF",
                "2: OFDLCK ADVISORY  WRITE -1 08:01:12 0 EOF",
                "3: POSIX  ADVISORY  READ 42 08:01:13",
                "4: POSIX  ADVISORY  READ 43",
                "garbage"));
        assertEquals(42L, locks.holder(new ProcLocks.FileKey(8, 1, 13)), "the fields after the file are not needed");
        assertEquals(16080L, locks.holder(new ProcLocks.FileKey(0xfe, 0, 2147452)));
        assertNull(locks.holder(new ProcLocks.FileKey(0xfe, 0, 77)), "a waiter holds nothing");
        assertEquals(-1L, locks.holder(new ProcLocks.FileKey(8, 1, 12)));
    }

    /** The lock table names a file by its device's major and minor numbers, as stat(1) shows them, and its inode. */
    @Test
    void fileKeysAreTheDeviceNumbersAndInodeThatStatShows() throws Exception {
        for (Path file : List.of(Path.of("/dev/null"), ProcLocks.TABLE, file("some/file"))) {
            Process stat = new ProcessBuilder("stat", "-c", "%Hd %Ld %i", file.toString()).start();
            String[] fields = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
            assertEquals(0, stat.waitFor());
            assertEquals(new ProcLocks.FileKey(Long.parseLong(fields[0]), Long.parseLong(fields[1]), Long.parseLong(fields[2])),
                    ProcLocks.FileKey.of(file), file.toString());
        }
    }

    /** An OFD lock, or one taken in another pid namespace, names no process: master.pid says which. */
    @Test
    void aLockWithoutAHolderTakesThePidFromMasterPid() throws IOException {
        Path lock = file("data/master.lock");
        Path pid = tree.resolve("queue/pid/master.pid");
        TestFiles.write(pid, String.format("%10d\n", 4321));
        for (String holder : List.of("0", "-1")) {
            assertEquals(new MasterProbe.State(true, 4321L, null), MasterProbe.probe(lock, pid, lockedBy(holder, lock)));
        }
        TestFiles.write(pid, "garbage\n");
        assertEquals(new MasterProbe.State(true, null, null), MasterProbe.probe(lock, pid, lockedBy("-1", lock)));
        assertEquals(new MasterProbe.State(true, 17L, null), MasterProbe.probe(lock, pid, lockedBy("17", lock)));
    }

    private static ProcLocks lockedBy(String holder, Path file) throws IOException {
        ProcLocks.FileKey key = ProcLocks.FileKey.of(file);
        return ProcLocks.parse(List.of(String.format("1: OFDLCK ADVISORY WRITE %s %02x:%02x:%d 0 EOF",
                holder, key.major(), key.minor(), key.inode())));
    }

    @Test
    void aLockHeldByAnotherProcessMeansRunningWithItsPid() throws Exception {
        Path lock = file("data/master.lock");
        Path pid = file("queue/pid/master.pid");
        Process holder = holdFlock(lock);
        try {
            MasterProbe.State state = MasterProbe.probe(lock, pid, ProcLocks.read());
            assertEquals(new MasterProbe.State(true, holder.pid(), null), state);
        } finally {
            release(holder);
        }
        assertEquals(MasterProbe.State.STOPPED, MasterProbe.probe(lock, pid, ProcLocks.read()), "released");
    }

    /** Why we read /proc/locks: Java's lock (fcntl) does not see the master's flock on Linux. */
    @Test
    void fileChannelTryLockDoesNotSeeAFlock() throws Exception {
        Path lock = file("data/master.lock");
        Process holder = holdFlock(lock);
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock ours = channel.tryLock()) {
            assertNotNull(ours, "tryLock succeeded although another process holds a flock");
        } finally {
            release(holder);
        }
    }

    @Test
    void aStalePidFileMeansStopped() throws IOException {
        Path pid = tree.resolve("queue/pid/master.pid");
        TestFiles.write(pid, String.format("%32d\n", ProcessHandle.current().pid()));
        assertEquals(MasterProbe.State.STOPPED, MasterProbe.probe(file("data/master.lock"), pid, ProcLocks.read()));
    }

    @Test
    void neverStartedMeansStopped() throws IOException {
        assertEquals(MasterProbe.State.STOPPED,
                MasterProbe.probe(tree.resolve("data/master.lock"), tree.resolve("queue/pid/master.pid"), ProcLocks.read()));
    }

    @Test
    void lockFilesThatCannotBeLookedAtMeanUnknown() throws IOException {
        Path notADirectory = file("data");
        MasterProbe.State state = MasterProbe.probe(notADirectory.resolve("master.lock"),
                notADirectory.resolve("master.pid"), ProcLocks.read());
        assertNull(state.running());
        assertTrue(state.problem().startsWith("stat " + notADirectory + "/master.lock: "), state.problem());
    }

    /** flock(1) takes the lock and keeps it while its child sleeps (-o: the child does not inherit it): the holder is flock's pid. */
    private static Process holdFlock(Path file) throws Exception {
        assumeTrue(SandboxedPostfix.which("flock").isPresent(), "needs flock(1) (util-linux)");
        Process holder = new ProcessBuilder("flock", "-x", "-o", file.toString(), "sleep", "60")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        ProcLocks.FileKey key = ProcLocks.FileKey.of(file);
        for (int i = 0; i < 200 && ProcLocks.read().holder(key) == null; i++) Thread.sleep(25);
        assertEquals(holder.pid(), ProcLocks.read().holder(key), "flock(1) holds the lock");
        return holder;
    }

    private static void release(Process holder) throws InterruptedException {
        holder.descendants().forEach(ProcessHandle::destroy);
        holder.destroy();
        holder.waitFor(10, TimeUnit.SECONDS);
    }

    // ---- the whole command, as an unprivileged user -------------------------

    @Test
    void unreadableQueuesAreUnknownWithOneWarningAndSelectionWorks() throws IOException {
        String reason = AsNobody.unavailableReason();
        assumeTrue(reason == null, reason);
        try (Fixture fixture = Fixture.create("")) {
            fixture.writePrimary("multi_instance_directories = " + fixture.secondary("postfix-out", "postfix-out", "mta", true)
                    + " " + fixture.secondary("postfix-in", "postfix-in", "mta", false) + "\n");
            for (String queue : List.of("postfix", "postfix-out", "postfix-in")) {
                Path deferred = fixture.mkdirs("var/spool/" + queue + "/deferred/A");
                TestFiles.write(deferred.resolve("4ABCDEF"), "message\n");
                Files.setPosixFilePermissions(deferred.getParent(), PosixFilePermissions.fromString("rwx------"));
            }
            openToAll(fixture.root);
            Tool.Result all = Tool.exec(AsNobody.command(List.of(), "--no-syslog", "-c", fixture.primary.toString(), "-l", "--status"),
                    Map.of(), null);
            assertEquals(0, all.status(), all::both);
            assertEquals(List.of("postmulti: warning: open " + fixture.root + "/var/spool/postfix/deferred: Permission denied"
                    + " (and 2 more): message counts unknown"), all.err().lines().toList());
            List<String> rows = all.out().lines().skip(1).toList();
            assertEquals(3, rows.size(), all::out);
            for (String row : rows) assertTrue(row.matches(".* stopped +- +0 +0 +0 +- +0 +0"), row);

            Tool.Result one = Tool.run("--no-syslog", "-c", fixture.primary.toString(), "-i", "in", "-l", "--status");
            assertEquals(2, one.out().lines().count(), one::both);
            assertTrue(one.out().lines().skip(1).findFirst().orElseThrow().matches("postfix-in +mta +n .* stopped +- +0 +0 +0 +1 +0 +0"),
                    one::both);
        }
    }

    /**
     * The whole command in this JVM (as bench/mutation.sh needs it): a master that holds its lock
     * runs with that pid, another never started; each queue counted, one that is not a directory
     * unknown with a warning; each instance's own syslog_name.
     */
    @Test
    void statusOfATreeInThisJvm() throws Exception {
        try (Fixture fixture = Fixture.create("")) {
            String out = fixture.secondary("postfix-out", "queue_directory = " + fixture.root.resolve("var/spool/postfix-out")
                    + "\ndata_directory = " + fixture.root.resolve("var/lib/postfix-out")
                    + "\nmulti_instance_enable = yes\nmulti_instance_name = postfix-out\nsyslog_name = mail-out\n").toString();
            fixture.writePrimary("multi_instance_directories = " + out + "\n");
            TestFiles.write(fixture.root.resolve("var/spool/postfix/deferred/A/4ABC1"), "message\n");
            TestFiles.write(fixture.root.resolve("var/spool/postfix/deferred/4ABC2"), "message\n");
            TestFiles.write(fixture.root.resolve("var/spool/postfix-out/incoming/4ABC3"), "message\n");
            TestFiles.write(fixture.root.resolve("var/spool/postfix-out/hold"), "not a queue\n");
            Path lock = fixture.root.resolve("var/lib/postfix-out/master.lock");
            TestFiles.write(lock, "");
            Process holder = holdFlock(lock);
            try {
                Tool.Result json = fixture.inProcess("--no-syslog", "-l", "-j", "--status");
                assertEquals(0, json.status(), json::both);
                assertEquals("postmulti: warning: open " + fixture.root + "/var/spool/postfix-out/hold: Not a directory:"
                        + " message counts unknown\n", json.err());
                List<String> lines = json.out().lines().toList();
                assertEquals(2, lines.size(), json::out);
                assertTrue(lines.get(0).contains("\"running\": false,\"pid\": null,"), lines.get(0));
                assertTrue(lines.get(0).contains("\"syslog_name\": \"postfix\","), lines.get(0));
                assertTrue(lines.get(0).endsWith("\"queues\": {\"maildrop\": 0,\"incoming\": 0,\"active\": 0,\"deferred\": 2,"
                        + "\"hold\": 0,\"corrupt\": 0}}"), lines.get(0));
                assertTrue(lines.get(1).contains("\"running\": true,\"pid\": " + holder.pid() + ","), lines.get(1));
                assertTrue(lines.get(1).contains("\"syslog_name\": \"mail-out\","), lines.get(1));
                assertTrue(lines.get(1).endsWith("\"queues\": {\"maildrop\": 0,\"incoming\": 1,\"active\": 0,\"deferred\": 0,"
                        + "\"hold\": null,\"corrupt\": 0}}"), lines.get(1));
            } finally {
                release(holder);
            }
            Files.setLastModifiedTime(fixture.root.resolve("var/spool/postfix/deferred/4ABC2"),
                    FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
            Tool.Result metrics = fixture.inProcess("--no-syslog", "-i", "-", "-l", "--metrics");
            assertEquals(0, metrics.status(), metrics::both);
            assertTrue(metrics.out().lines().anyMatch(line -> line.startsWith("postfix_instance_queue_oldest_seconds{")
                    && line.contains("queue=\"deferred\"") && line.matches(".* 7[12][0-9][0-9]")), metrics::out);
        }
    }

    /** The whole -l --status in this JVM: selection, list order, the three forms, and a master that runs (flock(1) holds its lock). */
    @Test
    void statusOfSelectedInstancesInTheThreeForms() throws Exception {
        try (Fixture fixture = Fixture.create("")) {
            fixture.writePrimary("multi_instance_directories = " + fixture.secondary("postfix-out", "postfix-out", "mta", true)
                    + " " + fixture.secondary("postfix-in", null, "mta", false) + "\n");
            TestFiles.write(fixture.root.resolve("var/spool/postfix-out/deferred/A/4ABCDEF"), "message\n");
            TestFiles.write(fixture.root.resolve("var/spool/postfix-out/hold/4ABCDEG"), "message\n");
            TestFiles.write(fixture.root.resolve("var/spool/postfix-out/hold/4ABCDEH"), "message\n");
            Path lock = fixture.root.resolve("var/lib/postfix-out/master.lock");
            TestFiles.write(lock, "");
            Process master = holdFlock(lock);
            try {
                Tool.Result table = fixture.inProcess("-g", "mta", "-l", "--status");
                assertEquals(0, table.status(), table::both);
                assertEquals(List.of(
                        "name            group           enabled   config_directory" + " ".repeat(fixture.root.toString().length()
                                + "/etc/postfix-out".length() - "config_directory".length())
                                + " state   " + " ".repeat(Math.max(0, Long.toString(master.pid()).length() - 3)) + "pid maildrop incoming active deferred hold corrupt",
                        "postfix-out     mta             y         " + fixture.root + "/etc/postfix-out running " + master.pid()
                                + "        0        0      0        1    2       0",
                        "-               mta             n         " + fixture.root + "/etc/postfix-in  stopped "
                                + " ".repeat(Long.toString(master.pid()).length() - 1) + "-        0        0      0        0    0       0"),
                        table.out().lines().toList());
                assertEquals("", table.err());

                Tool.Result json = fixture.inProcess("-i", "postfix-out", "-l", "--status", "-j");
                assertEquals(0, json.status(), json::both);
                assertEquals("{\"name\": \"postfix-out\",\"group\": \"mta\",\"enabled\": \"y\",\"config_directory\": \""
                        + fixture.root + "/etc/postfix-out\",\"running\": true,\"pid\": " + master.pid() + ",\"queue_directory\": \""
                        + fixture.root + "/var/spool/postfix-out\",\"data_directory\": \"" + fixture.root + "/var/lib/postfix-out\","
                        + "\"syslog_name\": \"postfix-out\",\"queues\": {\"maildrop\": 0,\"incoming\": 0,\"active\": 0,"
                        + "\"deferred\": 1,\"hold\": 2,\"corrupt\": 0}}\n", json.out());

                Tool.Result metrics = fixture.inProcess("-i", "postfix-out", "-l", "--metrics");
                assertEquals(0, metrics.status(), metrics::both);
                String labels = "{name=\"postfix-out\",group=\"mta\",config_directory=\"" + fixture.root + "/etc/postfix-out\"";
                assertTrue(metrics.out().contains("\npostfix_instance_up" + labels + "} 1\n"), metrics.out());
                assertTrue(metrics.out().contains("\npostfix_instance_queue_messages" + labels + ",queue=\"hold\"} 2\n"), metrics.out());
                assertFalse(metrics.out().contains("postfix-in"), metrics.out());
            } finally {
                release(master);
            }
        }
    }

    /** A listing that cannot be written fails, however short: the buffered output is flushed and checked. */
    @Test
    void listingsThatCannotBeWrittenFail() throws IOException {
        try (Fixture fixture = Fixture.create("")) {
            for (List<String> listing : List.of(List.of("-l"), List.of("-l", "-j"), List.of("-l", "--status"), List.of("-l", "--metrics"))) {
                try (PrintStream full = new PrintStream(new BufferedOutputStream(new FileOutputStream("/dev/full")), false)) {
                    List<String> args = new ArrayList<>(List.of("-c", fixture.primary.toString()));
                    args.addAll(listing);
                    ByteArrayOutputStream err = new ByteArrayOutputStream();
                    Msg.redirect(new PrintStream(err, true));
                    try {
                        assertEquals(StandardOutput.KILLED_BY_SIGPIPE, new postmulti().run(args.toArray(String[]::new), System.getenv(), full),
                                listing + ": " + err);
                    } finally {
                        Msg.redirect(System.err);
                    }
                }
            }
        }
    }

    /** Fixture trees are made 0700 (createTempDirectory): open every directory on the way for nobody, but the queues. */
    private static void openToAll(Path root) throws IOException {
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path each : tree.toList()) {
                boolean queue = each.getFileName().toString().equals("deferred");
                if (Files.isDirectory(each) && !queue) Files.setPosixFilePermissions(each,
                        PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    // ---- output -------------------------------------------------------------

    private static InstanceStatus status(Instance instance, Boolean running, Long pid, Long... counts) {
        Map<String, QueueScan.Contents> queues = new LinkedHashMap<>();
        for (int i = 0; i < InstanceStatus.QUEUE_NAMES.size(); i++) {
            queues.put(InstanceStatus.QUEUE_NAMES.get(i), counts[i] == null ? null : new QueueScan.Contents(counts[i], 1_000));
        }
        return new InstanceStatus(instance, running, pid, instance.primary() ? "postfix" : null, queues);
    }

    private static final Instance PRIMARY = new Instance("/etc/postfix", "/var/spool/postfix", "/var/lib/postfix", null, null, true, true);
    private static final Instance LONG_NAMED = new Instance("/etc/postfix-\"x", "/q", "/d",
            "postfix-a-name-longer-than-15", "mta", false, false);

    @Test
    void tableKeepsTheListColumnsAndAlignsTheRest() {
        String table = StatusMode.table(List.of(
                status(PRIMARY, true, 123L, 0L, 1L, 2L, 30L, 4L, 0L),
                status(LONG_NAMED, null, null, null, null, null, null, null, null)));
        assertEquals(String.join("\n",
                "name                          group           enabled   config_directory state   pid maildrop incoming active deferred hold corrupt",
                "-                             -               y         /etc/postfix     running 123        0        1      2       30    4       0",
                "postfix-a-name-longer-than-15 mta             n         /etc/postfix-\"x  -         -        -        -      -        -    -       -",
                ""), table);
    }

    @Test
    void jsonAddsItsMembersAfterThoseOf311() {
        assertEquals("{" + ListMode.jsonMembers(PRIMARY).replace("}", "") + ",\"running\": true,\"pid\": 123,"
                        + "\"queue_directory\": \"/var/spool/postfix\",\"data_directory\": \"/var/lib/postfix\","
                        + "\"syslog_name\": \"postfix\",\"queues\": {\"maildrop\": 0,\"incoming\": 1,\"active\": 2,"
                        + "\"deferred\": 30,\"hold\": null,\"corrupt\": 0}}\n",
                StatusMode.jsonLine(status(PRIMARY, true, 123L, 0L, 1L, 2L, 30L, null, 0L)));
        assertTrue(StatusMode.jsonLine(status(LONG_NAMED, null, null, 0L, 0L, 0L, 0L, 0L, 0L))
                .contains(",\"running\": null,\"pid\": null,"));
        assertEquals(ListMode.jsonLine(PRIMARY), "{" + ListMode.jsonMembers(PRIMARY) + "}\n");
    }

    @Test
    void metricsLeaveUnknownValuesOutAndEscapeLabels() {
        String text = Metrics.exposition(List.of(
                status(PRIMARY, true, 123L, 0L, 1L, 2L, 30L, 4L, 0L),
                status(LONG_NAMED, null, null, 5L, null, null, null, null, null)), 11_000);
        assertTrue(text.contains("postfix_instance_up{name=\"-\",group=\"-\",config_directory=\"/etc/postfix\"} 1\n"), text);
        assertFalse(text.contains("postfix_instance_up{name=\"postfix-a-name"), "unknown state is left out");
        assertTrue(text.contains("postfix_instance_enabled{name=\"postfix-a-name-longer-than-15\",group=\"mta\","
                + "config_directory=\"/etc/postfix-\\\"x\"} 0\n"), text);
        assertTrue(text.contains("postfix_instance_queue_messages{name=\"-\",group=\"-\",config_directory=\"/etc/postfix\","
                + "queue=\"deferred\"} 30\n"), text);
        assertTrue(text.contains("queue=\"maildrop\"} 5\n"), text);
        assertFalse(text.contains("config_directory=\"/etc/postfix-\\\"x\",queue=\"incoming\""), "unknown counts are left out");
        assertTrue(text.contains("postfix_instance_queue_oldest_seconds{name=\"-\",group=\"-\",config_directory=\"/etc/postfix\","
                + "queue=\"hold\"} 10\n"), text);
        assertEquals("a\\\\b\\\"c\\nd", Metrics.escape("a\\b\"c\nd"));
    }

    @Test
    void metricsPassPromtool() throws Exception {
        assumeTrue(SandboxedPostfix.which("promtool").isPresent(), "needs promtool (Debian package prometheus)");
        String text = Metrics.exposition(List.of(status(PRIMARY, true, 123L, 0L, 1L, 2L, 30L, 4L, 0L),
                status(LONG_NAMED, false, null, 0L, 0L, 0L, 0L, 0L, 0L)), 11_000);
        assertEquals("", Promtool.check(text));
    }
}
