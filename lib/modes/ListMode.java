import java.io.PrintStream;
import java.util.List;

/** {@code -l}: one line per selected instance, in the C program's columns, or JSON lines with {@code -j}. */
final class ListMode {
    private ListMode() {
    }

    static void list(List<Instance> iterationOrder, Selection selection, boolean json, PrintStream out) {
        for (Instance instance : iterationOrder) {
            if (selection.matches(instance)) out.print(json ? jsonLine(instance) : textLine(instance));
        }
        out.flush();
        if (out.checkError()) throw StandardOutput.writeFailure(out);
    }

    /** The C program's "%-15s %-15s %-9s %s\n"; padded by hand, as String.format parses its format with a regular expression (docs/PERFORMANCE.md). */
    static String textLine(Instance instance) {
        return leftAligned(dash(instance.name()), 15) + " " + leftAligned(dash(instance.group()), 15) + " "
                + leftAligned(yesNo(instance), 9) + " " + instance.configDirectory() + "\n";
    }

    private static String leftAligned(String value, int width) {
        return value.length() >= width ? value : value + " ".repeat(width - value.length());
    }

    static String jsonLine(Instance instance) {
        return "{" + jsonMembers(instance) + "}\n";
    }

    /** 3.11's members, in its order and spacing; -l --status -j adds its own after them. */
    static String jsonMembers(Instance instance) {
        return "\"name\": \"" + Json.quote(dash(instance.name())) + "\","
                + "\"group\": \"" + Json.quote(dash(instance.group())) + "\","
                + "\"enabled\": \"" + yesNo(instance) + "\","
                + "\"config_directory\": \"" + Json.quote(instance.configDirectory()) + "\"";
    }

    static String dash(String value) {
        return value == null ? "-" : value;
    }

    static String yesNo(Instance instance) {
        return instance.enabled() ? "y" : "n";
    }
}
