import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Problems that leave values unknown rather than stop the program (a queue an unprivileged
 * caller may not read, say): one warning per kind of problem, naming the first case and how many
 * more there were, rather than one per instance and queue.
 */
final class WarningTally {
    private record Kind(String firstCase, int count) {
    }

    private final Map<String, Kind> kinds = new LinkedHashMap<>();

    /** A case of a problem whose consequence is {@code consequence} ("message counts unknown"). */
    void note(String consequence, String detail) {
        kinds.merge(consequence, new Kind(detail, 1), (first, more) -> new Kind(first.firstCase(), first.count() + 1));
    }

    /** One warning per kind, in the order they first happened. */
    void report() {
        kinds.forEach((consequence, kind) -> Msg.warn(kind.firstCase()
                + (kind.count() > 1 ? " (and " + (kind.count() - 1) + " more)" : "") + ": " + consequence));
    }
}
