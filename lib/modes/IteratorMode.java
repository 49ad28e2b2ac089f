import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code -p} (postfix-wrapper) and {@code -x} (any command): run one command per selected
 * instance, each child with the instance's environment, and report 1 if any of them failed.
 */
final class IteratorMode {
    /** How the postfix(1) command word changes the iteration, from the primary's command lists. */
    enum Treatment { START, STOP, CONTROL, OTHER }

    /** Postfix's default search path for root on Linux, used when PATH is unset or empty. */
    private static final String ROOT_PATH = "/bin:/usr/bin:/sbin:/usr/sbin";
    private final Primary primary;
    private final Map<String, String> baseEnvironment;

    IteratorMode(Primary primary, Map<String, String> baseEnvironment) {
        this.primary = primary;
        this.baseEnvironment = baseEnvironment;
    }

    int postfix(List<Instance> instances, Selection selection, List<String> words) {
        Treatment treatment = treatment(words.get(0));
        List<Instance> order = new ArrayList<>(instances);
        if (treatment == Treatment.STOP) Collections.reverse(order);
        boolean skipDisabled = treatment == Treatment.STOP || treatment == Treatment.CONTROL;
        List<String> argv = new ArrayList<>();
        argv.add(Host.toOs(primary.value("command_directory") + "/postfix"));
        argv.add("--");
        words.forEach(word -> argv.add(Host.toOs(word)));
        return iterate(order, selection, skipDisabled, instance -> {
            List<String> command = new ArrayList<>(argv);
            if (treatment == Treatment.START && !instance.enabled()) command.set(2, "check");
            return Launcher.run(command, postfixEnvironment(instance));
        });
    }

    int generic(List<Instance> order, Selection selection, List<String> words) {
        List<String> argv = words.stream().map(Host::toOs).toList();
        return iterate(order, selection, false, instance -> Launcher.run(argv, commandEnvironment(instance)));
    }

    Treatment treatment(String word) {
        if (primary.wordInList("postmulti_start_commands", word)) return Treatment.START;
        if (primary.wordInList("postmulti_stop_commands", word)) return Treatment.STOP;
        if (primary.wordInList("postmulti_control_commands", word)) return Treatment.CONTROL;
        return Treatment.OTHER;
    }

    private interface Run {
        int on(Instance instance);
    }

    private static int iterate(List<Instance> order, Selection selection, boolean skipDisabled, Run run) {
        int status = 0;
        boolean matched = false;
        for (Instance instance : order) {
            if (skipDisabled && !instance.enabled()) continue;
            if (!selection.matches(instance)) continue;
            matched = true;
            if (run.on(instance) != 0) status = 1;
        }
        if (!matched) throw new Fatal("No matching instances");
        return status;
    }

    Map<String, String> postfixEnvironment(Instance instance) {
        Map<String, String> env = new HashMap<>(baseEnvironment);
        env.put("MAIL_CONFIG", Host.toOs(instance.configDirectory()));
        return env;
    }

    Map<String, String> commandEnvironment(Instance instance) {
        Map<String, String> env = postfixEnvironment(instance);
        env.put("daemon_directory", Host.toOs(primary.value("daemon_directory")));
        env.put("command_directory", Host.toOs(primary.value("command_directory")));
        env.put("config_directory", Host.toOs(instance.configDirectory()));
        env.put("queue_directory", Host.toOs(instance.queueDirectory()));
        env.put("data_directory", Host.toOs(instance.dataDirectory()));
        env.put("multi_instance_name", Host.toOs(instance.name() == null ? "" : instance.name()));
        env.put("multi_instance_group", Host.toOs(instance.group() == null ? "" : instance.group()));
        env.put("multi_instance_enable", instance.enabled() ? "yes" : "no");
        env.put("PATH", commandPath(env.get("PATH")));
        return env;
    }

    /** "$command_directory:" before the caller's PATH, or before the root default when it has none. */
    private String commandPath(String path) {
        String rest = path == null || path.isEmpty() ? ROOT_PATH : path;
        return Host.toOs(primary.value("command_directory")) + ":" + rest;
    }
}
