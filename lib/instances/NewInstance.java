import java.util.List;

/**
 * Where a created or imported instance lives: its config, queue and data directories, from the
 * {@code name=value} words of the command line, or made from the primary's directories and the
 * {@code -I} name, or (import) read from the instance's own main.cf.
 */
final class NewInstance {
    private String configDirectory;
    private String queueDirectory;
    private String dataDirectory;

    private NewInstance() {
    }

    /**
     * The C program's steps, in its order: each word is checked and assigned; a missing config
     * directory is made from the primary's; it must not belong to an instance already; then
     * create makes the missing queue and data directories, while import reads the instance.
     */
    static Instance resolve(EditAction action, List<String> words, NameAssignment names, Primary primary,
                            Claims claims, Host host, ParamDefaults defaults) {
        NewInstance paths = new NewInstance();
        for (String word : words) paths.assign(action, word);
        if (paths.configDirectory == null)
            paths.configDirectory = privatePath("config_directory", primary.configDirectory(), names.name());
        String owner = claims.ownerOf(paths.configDirectory);
        if (owner != null)
            throw new Fatal("new config_directory=" + paths.configDirectory + " is already in use by instance "
                    + owner + "=" + paths.configDirectory);
        if (action == EditAction.IMPORT)
            return InstanceRegistry.loadSecondary(primary, host, paths.configDirectory, defaults);
        if (paths.queueDirectory == null)
            paths.queueDirectory = privatePath("queue_directory", primary.value("queue_directory"), names.name());
        if (paths.dataDirectory == null)
            paths.dataDirectory = privatePath("data_directory", primary.value("data_directory"), names.name());
        return new Instance(paths.configDirectory, paths.queueDirectory, paths.dataDirectory, null, null, false, false);
    }

    /** One {@code name=value} word: a private directory, absolute, not the root, trailing slashes dropped. */
    private void assign(EditAction action, String word) {
        MainCf.Setting setting;
        try {
            setting = MainCf.splitNameValue(word);
        } catch (Fatal malformed) {
            throw new Fatal("Malformed parameter setting '" + word + "'");
        }
        String name = setting.name();
        String value = setting.value();
        boolean known = name.equals("config_directory")
                || (action != EditAction.IMPORT && (name.equals("queue_directory") || name.equals("data_directory")));
        if (!known) throw new Fatal("Parameter '" + name + "' not valid with action " + action.word());
        if (!value.startsWith("/")) throw new Fatal("Parameter setting '" + name + "' is not an absolute path");
        int end = value.length();
        while (end > 1 && value.charAt(end - 1) == '/') end--;
        if (end == 1) throw new Fatal("Parameter setting '" + name + "' is the root directory");
        String path = value.substring(0, end);
        checkPath(name, path);
        switch (name) {
            case "config_directory" -> configDirectory = path;
            case "queue_directory" -> queueDirectory = path;
            default -> dataDirectory = path;
        }
    }

    /**
     * Beyond the C program, which takes any absolute path: the path is written into main.cf and
     * into the primary's multi_instance_directories, so it must not hold what changes its meaning
     * there (white space or a comma splits the list, '$' starts an expansion, a newline starts a
     * new setting, NUL ends it) nor a '..' component, which leads out of where it seems to point.
     */
    private static void checkPath(String name, String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f || c == ' ' || c == ',' || c == '$')
                throw new Fatal("Unsafe characters in parameter setting '" + name + "=" + path + "'");
        }
        if ((path + "/").contains("/../"))
            throw new Fatal("Parameter setting '" + name + "' has a '..' component: '" + path + "'");
    }

    /**
     * A secondary's directory made from the primary's: the primary's path with its last
     * component replaced by the instance name ({@code /var/spool/postfix} becomes
     * {@code /var/spool/postfix-out}). Reproduces the C program's string surgery exactly,
     * including its quirks: a primary path with one trailing slash loses only that slash
     * ({@code /var/spool/postfix/} gives {@code /var/spool/postfix/postfix-out}; with two or
     * more it is {@code /var/spool/postfix-out}), and a path with a single component is kept
     * whole ({@code /postfix} gives {@code /postfix/postfix-out}).
     */
    static String privatePath(String parameter, String primaryValue, String instanceName) {
        if (instanceName == null || instanceName.isEmpty()) throw new Fatal("Missing " + parameter + " parameter value");
        if (!primaryValue.startsWith("/"))
            throw new Fatal("Invalid default " + parameter + " parameter value: '" + primaryValue
                    + "': specify an absolute pathname");
        StringBuilder base = new StringBuilder(primaryValue);
        int slash = base.lastIndexOf("/");
        if (slash == base.length() - 1) {
            // The slashes before a trailing slash go (never the first character); the last one stays.
            int cleared = -1;
            for (int i = slash - 1; i > 0 && base.charAt(i) == '/'; i--) cleared = i;
            if (cleared > 0) base.setLength(cleared);
            slash = base.lastIndexOf("/");
        }
        // Cut at the last slash, and at the slashes just before it (never the first character).
        for (int i = slash; i > 0 && base.charAt(i) == '/'; i--) base.setLength(i);
        String parent = base.length() > 1 ? base.toString() : "";
        return parent + "/" + instanceName;
    }
}
