import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code -I name} and {@code -G group} of create, import and assign. Each is null when not
 * given, "" when given as "-" (clear it), else the new value.
 */
record NameAssignment(String name, String group) {
    /** Letters and digits (ASCII, as C's isalnum in the C locale) and these. */
    private static final String SAFE_PUNCTUATION = "!@%-_=+:./";

    /** What changed when the assignment was applied to an instance. */
    record Outcome(Instance instance, boolean nameChanged, boolean groupChanged) {
        boolean changed() {
            return nameChanged || groupChanged;
        }

        /**
         * The settings for the instance's main.cf, name before group, in the helper script's
         * words: a cleared name or group is written as an empty value.
         */
        Map<String, String> settings() {
            Map<String, String> settings = new LinkedHashMap<>();
            if (nameChanged) settings.put("multi_instance_name", orEmpty(instance.name()));
            if (groupChanged) settings.put("multi_instance_group", orEmpty(instance.group()));
            return settings;
        }

        private static String orEmpty(String value) {
            return value == null ? "" : value;
        }
    }

    /** The C program's syntax checks of the new name and group, in its order and words. */
    void check() {
        if (name != null && !name.isEmpty()) {
            if (!safe(name)) throw new Fatal("Unsafe characters in new instance name: '" + name + "'");
            if (name.indexOf('/') >= 0) throw new Fatal("Illegal '/' character in new instance name: '" + name + "'");
            if (!Selection.hasPrefix(name)) throw new Fatal("New instance name must start with '" + Selection.prefix() + "'");
        }
        if (group != null && !group.isEmpty() && !safe(group))
            throw new Fatal("Unsafe characters in '-G " + group + "'");
    }

    /**
     * Applies the assignment to an instance. A new name that differs from the old one is claimed
     * first, so a name in use elsewhere is the usual conflict error. Assigning the current value
     * is no change (the C program then has nothing to do).
     */
    Outcome applyTo(Instance target, Claims claims) {
        String newName = target.name();
        String newGroup = target.group();
        boolean nameChanged = false;
        boolean groupChanged = false;
        if (name != null && !name.equals(orEmpty(target.name()))) {
            claims.claim(target.configDirectory(), "multi_instance_name", name);
            newName = Instance.emptyToNull(name);
            nameChanged = true;
        }
        if (group != null && !group.equals(orEmpty(target.group()))) {
            newGroup = Instance.emptyToNull(group);
            groupChanged = true;
        }
        return new Outcome(target.withNames(newName, newGroup), nameChanged, groupChanged);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static boolean safe(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && SAFE_PUNCTUATION.indexOf(c) < 0) return false;
        }
        return true;
    }
}
