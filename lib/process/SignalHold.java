import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Holds SIGINT, SIGTERM and SIGHUP while a change plan is committed, so that an interrupt cannot
 * stop the JVM between two renames (say, after the instance's files are in place but before the
 * primary lists it, or before a failed step is undone). When the commit (or its undo) is over,
 * the previous handlers are put back and each held signal is handed to its previous handler,
 * which for the JVM's default means exiting with status 128+N as if it had arrived just then.
 * Children started meanwhile (set-permissions) get their own handling from {@link ForegroundChild},
 * which passes on to us what it does not consume.
 */
final class SignalHold implements AutoCloseable {
    private static final List<String> NAMES = List.of("INT", "TERM", "HUP");

    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private final List<Signal> held = new ArrayList<>();
    private boolean closed;

    private SignalHold() {
    }

    static SignalHold start() {
        SignalHold hold = new SignalHold();
        for (String name : NAMES) {
            Signal signal = new Signal(name);
            try {
                hold.previous.put(signal, Signal.handle(signal, hold::receive));
            } catch (IllegalArgumentException reserved) {
                // -Xrs or a signal the JVM keeps: it acts at once, as without us
            }
        }
        return hold;
    }

    private void receive(Signal signal) {
        synchronized (this) {
            if (!closed) {
                if (!held.contains(signal)) held.add(signal);
                return;
            }
        }
        previous.get(signal).handle(signal);
    }

    @Override
    public void close() {
        previous.forEach(Signal::handle);
        List<Signal> due;
        synchronized (this) {
            closed = true;
            due = List.copyOf(held);
        }
        due.forEach(signal -> previous.get(signal).handle(signal));
    }
}
