import java.util.List;

/**
 * One option of the command line: what getopt needs to walk argv (its names, whether it takes
 * a value, what an occurrence does) and what --help, the man page and the completion script
 * show. A plain table, so that a start loads nothing of picocli: picocli's model is made from
 * it only when help or the docs are asked for. What an occurrence does is the {@link Handler}'s
 * business: one method with a case per option, rather than a lambda per option, each of which
 * would cost its linkage at every start (docs/PERFORMANCE.md).
 *
 * @param paramLabel the value's name in help ("dir"), or null for a flag
 * @param candidates the values completion offers, or null
 */
record CliOption(List<String> names, String paramLabel, String description, Iterable<String> candidates) {
    /** What each occurrence of an option does, in command-line order. */
    interface Handler {
        /** {@code value} is the option's value, or null for a flag. */
        void handle(CliOption option, String value);
    }

    /** An option without a value. */
    static CliOption flag(String names, String description) {
        return new CliOption(List.of(names.split(" ")), null, description, null);
    }

    /** An option with a value (attached or the next word). */
    static CliOption valued(String names, String paramLabel, String description) {
        return new CliOption(List.of(names.split(" ")), paramLabel, description, null);
    }

    CliOption completing(Iterable<String> values) {
        return new CliOption(names, paramLabel, description, values);
    }

    /** The first of its names ("-c" of "-c --config-directory"): what a handler tells options by. */
    String name() {
        return names.get(0);
    }

    boolean takesValue() {
        return paramLabel != null;
    }
}
