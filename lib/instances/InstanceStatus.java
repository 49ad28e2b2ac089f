import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One instance's state for monitoring: whether its master runs and with which pid, its log
 * name, and what each of its queues holds. A value the caller cannot know (a queue it may not
 * read, the master of an offline tree) is null.
 */
record InstanceStatus(Instance instance, Boolean running, Long pid, String syslogName,
                      Map<String, QueueScan.Contents> queues) {
    /** The queues Postfix keeps messages in, in the order mail passes through them, then corrupt. */
    static final List<String> QUEUE_NAMES = List.of("maildrop", "incoming", "active", "deferred", "hold", "corrupt");

    /**
     * Reads the state of instances without starting, stopping or signalling anything, and
     * without a child process: parameters from main.cf in this process, the master's lock from
     * the kernel's lock table, the queues by walking their directories.
     */
    static final class Reader {
        private final Primary primary;
        private final Host host;
        private final ParamDefaults defaults;
        private final WarningTally problems = new WarningTally();
        private final ProcLocks locks;

        Reader(Primary primary, Host host, ParamDefaults defaults) {
            this.primary = primary;
            this.host = host;
            this.defaults = defaults;
            this.locks = host.offline() ? null : lockTable();
        }

        private ProcLocks lockTable() {
            try {
                return ProcLocks.read();
            } catch (IOException unreadable) {
                problems.note("whether instances run is unknown", "open " + ProcLocks.TABLE + ": " + Errno.text(unreadable));
                return null;
            }
        }

        /** The instance's state; with {@code ages}, also each queue's oldest message (a stat(2) per message). */
        InstanceStatus read(Instance instance, boolean ages) {
            MasterProbe.State master = master(instance);
            return new InstanceStatus(instance, master.running(), master.pid(), syslogName(instance), queues(instance, ages));
        }

        /** Says once per kind what could not be known. */
        void reportProblems() {
            problems.report();
        }

        /** An offline tree (--root) runs nothing on this host: its masters' state is unknown, and that is no problem. */
        private MasterProbe.State master(Instance instance) {
            if (locks == null) return new MasterProbe.State(null, null, null);
            MasterProbe.State state = MasterProbe.probe(host.path(instance.dataDirectory() + "/master.lock"),
                    host.path(instance.queueDirectory() + "/pid/master.pid"), locks);
            if (state.problem() != null) problems.note("whether the instance runs is unknown", state.problem());
            return state;
        }

        private Map<String, QueueScan.Contents> queues(Instance instance, boolean ages) {
            Map<String, QueueScan.Contents> queues = new LinkedHashMap<>();
            for (String queue : QUEUE_NAMES) {
                String directory = instance.queueDirectory() + "/" + queue;
                try {
                    Path path = host.path(directory);
                    queues.put(queue, ages ? QueueScan.withAges(path) : QueueScan.of(path));
                } catch (IOException unreadable) {
                    problems.note("message counts unknown", "open " + directory + ": " + Errno.text(unreadable));
                    queues.put(queue, null);
                }
            }
            return Collections.unmodifiableMap(queues);
        }

        /** syslog_name as the instance's own main.cf gives it (registry loading read only what postmulti needs). */
        private String syslogName(Instance instance) {
            try {
                if (instance.primary()) return primary.value("syslog_name");
                String directory = instance.configDirectory();
                return new Parameters(MainCf.read(host, directory + "/main.cf"), directory, defaults).expanded("syslog_name");
            } catch (Fatal unreadable) {
                problems.note("syslog_name unknown", unreadable.getMessage());
                return null;
            }
        }
    }
}
