import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * {@code -l --metrics}: the Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector. Every sample is labelled with the instance's name, group
 * ("-" when unset, as -l shows them) and config_directory; "instance" is Prometheus's own label
 * for the scraped target. A value the caller could not read is left out, Prometheus's way of
 * saying "unknown", rather than reported as 0.
 */
final class Metrics {
    /** A family's samples for one instance at time {@code now}: value by queue ("" for an instance-wide sample). */
    private interface Samples {
        Map<String, Long> of(InstanceStatus status, long now);
    }

    private record Family(String name, String help, Samples samples) {
    }

    private static final List<Family> FAMILIES = List.of(
            new Family("postfix_instance_up", "Whether the instance's master process runs (1) or not (0), as postfix status decides.",
                    (status, now) -> status.running() == null ? Map.of() : Map.of("", status.running() ? 1L : 0L)),
            new Family("postfix_instance_enabled", "Whether multi_instance_enable lets postmulti start the instance (1) or not (0).",
                    (status, now) -> Map.of("", status.instance().enabled() ? 1L : 0L)),
            new Family("postfix_instance_queue_messages", "Message files in the queue.",
                    (status, now) -> perQueue(status, QueueScan.Contents::messages)),
            new Family("postfix_instance_queue_oldest_seconds", "Age of the oldest message file in the queue, in seconds; 0 when empty.",
                    (status, now) -> perQueue(status, contents -> contents.oldestAgeSeconds(now))));

    private Metrics() {
    }

    static String exposition(List<InstanceStatus> statuses, long now) {
        StringBuilder text = new StringBuilder();
        for (Family family : FAMILIES) {
            text.append("# HELP ").append(family.name()).append(' ').append(family.help()).append('\n');
            text.append("# TYPE ").append(family.name()).append(" gauge\n");
            for (InstanceStatus status : statuses) {
                family.samples().of(status, now).forEach((queue, value) ->
                        text.append(family.name()).append(labels(status.instance(), queue)).append(' ').append(value).append('\n'));
            }
        }
        return text.toString();
    }

    /** The known queues of an instance, by queue name, in QUEUE_NAMES order. */
    private static Map<String, Long> perQueue(InstanceStatus status, ToLongFunction<QueueScan.Contents> value) {
        Map<String, Long> samples = new LinkedHashMap<>();
        status.queues().forEach((queue, contents) -> {
            if (contents != null) samples.put(queue, value.applyAsLong(contents));
        });
        return samples;
    }

    private static String labels(Instance instance, String queue) {
        return "{name=\"" + escape(ListMode.dash(instance.name())) + "\",group=\"" + escape(ListMode.dash(instance.group()))
                + "\",config_directory=\"" + escape(instance.configDirectory()) + "\""
                + (queue.isEmpty() ? "" : ",queue=\"" + queue + "\"") + "}";
    }

    /** The exposition format's label value escapes: backslash, double quote and line feed. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
