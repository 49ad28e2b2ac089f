import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The primary and the secondaries named in its multi_instance_directories, in start order.
 * Each secondary's settings are read from its own main.cf in this process (the C program runs
 * one postconf per instance), and every name and directory is claimed as the C program does.
 */
final class InstanceRegistry {
    private final List<Instance> instances;

    private InstanceRegistry(List<Instance> instances) {
        this.instances = List.copyOf(instances);
    }

    static InstanceRegistry load(Primary primary, Host host, ParamDefaults defaults, Claims claims) {
        List<Instance> instances = new ArrayList<>();
        Instance first = primary.instance();
        claims.claimInstance(first);
        instances.add(first);
        for (String directory : primary.secondaryDirectories()) {
            Instance secondary = loadSecondary(host, directory, defaults);
            claims.claimInstance(secondary);
            instances.add(secondary);
        }
        return new InstanceRegistry(instances);
    }

    /** Reads one secondary's queue/data directories, name, group and enable flag from its main.cf. */
    static Instance loadSecondary(Host host, String configDirectory, ParamDefaults defaults) {
        Parameters parameters;
        try {
            parameters = new Parameters(MainCf.read(host.path(configDirectory + "/main.cf")), configDirectory, defaults);
        } catch (Fatal unreadable) {
            Msg.warn(unreadable.getMessage());
            throw new Fatal("Failed to obtain all required " + configDirectory + "/main.cf parameters");
        }
        String enable = parameters.expanded("multi_instance_enable");
        return new Instance(configDirectory,
                parameters.expanded("queue_directory"),
                parameters.expanded("data_directory"),
                Instance.emptyToNull(parameters.expanded("multi_instance_name")),
                Instance.emptyToNull(parameters.expanded("multi_instance_group")),
                enabled(configDirectory, enable), false);
    }

    private static boolean enabled(String configDirectory, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new Fatal("Unexpected " + configDirectory + "/main.cf entry: multi_instance_enable = " + value);
        };
    }

    List<Instance> all() {
        return instances;
    }

    Instance primary() {
        return instances.get(0);
    }

    List<Instance> secondaries() {
        return instances.subList(1, instances.size());
    }

    List<Instance> iterationOrder(boolean reverse) {
        if (!reverse) return instances;
        List<Instance> reversed = new ArrayList<>(instances);
        Collections.reverse(reversed);
        return reversed;
    }
}
