/**
 * One Postfix instance as postmulti sees it: its private directories, its name and group
 * ({@code null} when unset), and whether the multi-instance manager may start it.
 */
record Instance(String configDirectory, String queueDirectory, String dataDirectory,
                String name, String group, boolean enabled, boolean primary) {

    /** How the C program names an instance in messages: its name, else its config directory. */
    String label() {
        return name != null ? name : configDirectory;
    }

    Instance withNames(String newName, String newGroup) {
        return new Instance(configDirectory, queueDirectory, dataDirectory, newName, newGroup, enabled, primary);
    }

    static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
