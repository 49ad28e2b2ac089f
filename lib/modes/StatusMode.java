import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code -l --status} and {@code -l --metrics}: each selected instance, in list order, with
 * whether its master runs, its pid and its queues' message counts; as an aligned table, as
 * JSON lines (3.11's members first, unchanged), or for Prometheus ({@link Metrics}).
 * Unknown values are "-" in the table and null in JSON.
 */
final class StatusMode {
    enum Format { TABLE, JSON, METRICS }

    private static final String UNKNOWN = "-";
    /** The C program's -l columns (name, group, enabled), whose widths the table keeps as minimums. */
    private static final int[] LIST_WIDTHS = {15, 15, 9};
    private static final List<String> HEADER = header();

    private StatusMode() {
    }

    static void list(List<Instance> iterationOrder, Selection selection, Format format,
                     InstanceStatus.Reader reader, PrintStream out) {
        List<InstanceStatus> statuses = new ArrayList<>();
        for (Instance instance : iterationOrder) {
            if (selection.matches(instance)) statuses.add(reader.read(instance, format == Format.METRICS));
        }
        reader.reportProblems();
        switch (format) {
            case TABLE -> out.print(table(statuses));
            case JSON -> statuses.forEach(status -> out.print(jsonLine(status)));
            case METRICS -> out.print(Metrics.exposition(statuses, System.currentTimeMillis()));
        }
        out.flush();
        if (out.checkError()) throw StandardOutput.writeFailure(out);
    }

    private static List<String> header() {
        List<String> header = new ArrayList<>(List.of("name", "group", "enabled", "config_directory", "state", "pid"));
        header.addAll(InstanceStatus.QUEUE_NAMES);
        return header;
    }

    static String table(List<InstanceStatus> statuses) {
        List<List<String>> rows = new ArrayList<>(List.of(HEADER));
        statuses.forEach(status -> rows.add(cells(status)));
        int[] widths = widths(rows);
        StringBuilder table = new StringBuilder();
        for (List<String> row : rows) {
            for (int column = 0; column < row.size(); column++) {
                String cell = row.get(column);
                boolean number = column >= 5;
                String padding = " ".repeat(widths[column] - cell.length());
                if (column > 0) table.append(' ');
                table.append(number ? padding + cell : cell + padding);
            }
            table.append('\n');
        }
        return table.toString();
    }

    private static List<String> cells(InstanceStatus status) {
        Instance instance = status.instance();
        List<String> cells = new ArrayList<>(List.of(ListMode.dash(instance.name()), ListMode.dash(instance.group()),
                ListMode.yesNo(instance), instance.configDirectory(), state(status.running()), orUnknown(status.pid())));
        for (QueueScan.Contents queue : status.queues().values())
            cells.add(queue == null ? UNKNOWN : Long.toString(queue.messages()));
        return cells;
    }

    private static int[] widths(List<List<String>> rows) {
        int[] widths = new int[HEADER.size()];
        System.arraycopy(LIST_WIDTHS, 0, widths, 0, LIST_WIDTHS.length);
        for (List<String> row : rows) {
            for (int column = 0; column < row.size(); column++) widths[column] = Math.max(widths[column], row.get(column).length());
        }
        return widths;
    }

    private static String state(Boolean running) {
        if (running == null) return UNKNOWN;
        return running ? "running" : "stopped";
    }

    private static String orUnknown(Object value) {
        return value == null ? UNKNOWN : value.toString();
    }

    /** 3.11's members as -l -j prints them, then ours. */
    static String jsonLine(InstanceStatus status) {
        Instance instance = status.instance();
        return "{" + ListMode.jsonMembers(instance)
                + ",\"running\": " + status.running()
                + ",\"pid\": " + status.pid()
                + ",\"queue_directory\": " + jsonString(instance.queueDirectory())
                + ",\"data_directory\": " + jsonString(instance.dataDirectory())
                + ",\"syslog_name\": " + jsonString(status.syslogName())
                + ",\"queues\": " + jsonQueues(status.queues()) + "}\n";
    }

    private static String jsonString(String value) {
        return value == null ? "null" : "\"" + Json.quote(value) + "\"";
    }

    private static String jsonQueues(Map<String, QueueScan.Contents> queues) {
        List<String> members = new ArrayList<>();
        queues.forEach((queue, contents) -> members.add("\"" + queue + "\": " + (contents == null ? "null" : contents.messages())));
        return "{" + String.join(",", members) + "}";
    }
}
