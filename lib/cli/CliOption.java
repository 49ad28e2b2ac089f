import java.util.List;
import java.util.function.Consumer;

/**
 * One option of the command line: what getopt needs to walk argv (its names, whether it takes
 * a value, what an occurrence does) and what --help, the man page and the completion script
 * show. A plain table, so that a start loads nothing of picocli: picocli's model is made from
 * it only when help or the docs are asked for.
 *
 * @param paramLabel the value's name in help ("dir"), or null for a flag
 * @param candidates the values completion offers, or null
 */
record CliOption(List<String> names, String paramLabel, String description, Iterable<String> candidates,
                 Consumer<String> action) {
    /** An option without a value: each occurrence runs the action. */
    static CliOption flag(String names, String description, Runnable action) {
        return new CliOption(List.of(names.split(" ")), null, description, null, value -> action.run());
    }

    /** An option with a value (attached or the next word): each occurrence passes it on. */
    static CliOption valued(String names, String paramLabel, String description, Consumer<String> action) {
        return new CliOption(List.of(names.split(" ")), paramLabel, description, null, action);
    }

    CliOption completing(Iterable<String> values) {
        return new CliOption(names, paramLabel, description, values, action);
    }

    boolean takesValue() {
        return paramLabel != null;
    }
}
