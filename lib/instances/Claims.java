import java.util.HashMap;
import java.util.Map;

/**
 * Every instance name and every private or shared directory has exactly one owner.
 * A second claim on the same value is the C program's conflict error.
 */
final class Claims {
    private final Map<String, String> owners = new HashMap<>();

    void claim(String instancePath, String parameter, String value) {
        String requestor = instancePath + ", " + parameter;
        String owner = owners.putIfAbsent(value, requestor);
        if (owner != null && !owner.equals(requestor)) {
            throw new Fatal("instance " + instancePath + ", " + parameter + "=" + value
                    + " conflicts with instance " + owner + "=" + value);
        }
    }

    void claimInstance(Instance instance) {
        String dir = instance.configDirectory();
        if (instance.name() != null) claim(dir, "multi_instance_name", instance.name());
        claim(dir, "config_directory", dir);
        claim(dir, "queue_directory", instance.queueDirectory());
        claim(dir, "data_directory", instance.dataDirectory());
    }

    /**
     * Claims all of an instance's values, or none: on a conflict the claims made so far are
     * taken back and the conflict text is returned (null when there is none), so that a skipped
     * instance leaves nothing behind that could make a later one conflict.
     */
    String claimInstanceOrExplain(Instance instance) {
        Map<String, String> before = new HashMap<>(owners);
        try {
            claimInstance(instance);
            return null;
        } catch (Fatal conflict) {
            owners.clear();
            owners.putAll(before);
            return conflict.getMessage();
        }
    }

    /** The owner ("config_dir, parameter") of a value, or null. */
    String ownerOf(String value) {
        return owners.get(value);
    }
}
