/**
 * Which instances an invocation is about: all, one by name (or config directory), or a group.
 * Names follow the C program: {@code -i out} finds {@code postfix-out}, {@code -i -} is the primary.
 */
record Selection(Type type, String name) {
    enum Type { NONE, ALL, NAME, GROUP }

    private static final String NAME_PREFIX = "postfix-";

    static final Selection NONE = new Selection(Type.NONE, null);
    static final Selection ALL = new Selection(Type.ALL, null);

    static Selection byName(String name) {
        return new Selection(Type.NAME, name);
    }

    static Selection byGroup(String group) {
        return new Selection(Type.GROUP, group);
    }

    /** In iterator modes, no selection means every instance. */
    Selection orAll() {
        return type == Type.NONE ? ALL : this;
    }

    boolean matches(Instance instance) {
        return switch (type) {
            case NONE -> false;
            case ALL -> true;
            case GROUP -> name.equals(instance.group());
            case NAME -> name.equals(comparableName(instance)) || (instance.primary() && name.equals("-"));
        };
    }

    private String comparableName(Instance instance) {
        if (name.startsWith("/") || instance.name() == null) return instance.configDirectory();
        if (!hasPrefix(name) && hasPrefix(instance.name())) return instance.name().substring(NAME_PREFIX.length());
        return instance.name();
    }

    static boolean hasPrefix(String name) {
        return name.startsWith(NAME_PREFIX);
    }

    static String prefix() {
        return NAME_PREFIX;
    }
}
