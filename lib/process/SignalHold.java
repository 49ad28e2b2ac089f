import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Holds SIGINT, SIGTERM and SIGHUP while a change plan is committed, so that an interrupt cannot
 * stop the JVM between two renames (say, after the instance's files are in place but before the
 * primary lists it, or before a failed step is undone). The committer asks {@link #signalled()}
 * between its steps and undoes what it did when a signal came before its point of no return.
 * When the hold closes, the previous handlers are put back and, unless the change was
 * {@link #committed()}, each held signal is handed to its previous handler, which for the
 * JVM's default means exiting with status 128+N as if it had arrived just then. After the point
 * of no return the action is finished instead and the signal only noted: exit status 128+N
 * then always means that nothing was changed.
 * Children started meanwhile (set-permissions) get their own handling from {@link ForegroundChild},
 * which passes on to us what it does not consume.
 */
final class SignalHold implements AutoCloseable {
    private static final List<String> NAMES = List.of("INT", "TERM", "HUP");

    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private final List<Signal> held = new ArrayList<>();
    private boolean closed;
    private boolean committed;

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

    /** Whether a signal has been held so far. */
    synchronized boolean signalled() {
        return !held.isEmpty();
    }

    /** The first signal held, as {@code SIGTERM}; null when none was. */
    synchronized String firstSignal() {
        return held.isEmpty() ? null : "SIG" + held.get(0).getName();
    }

    /** The change has happened: held signals will no longer end the process. */
    synchronized void committed() {
        committed = true;
    }

    @Override
    public void close() {
        // A signal that has arrived but is not yet dispatched is to be ours, not the handler's after us.
        SignalBarrier.await();
        previous.forEach(Signal::handle);
        List<Signal> due;
        synchronized (this) {
            closed = true;
            due = committed ? List.of() : List.copyOf(held);
            if (committed && !held.isEmpty())
                Msg.warn(firstSignal() + " arrived after the change was committed; the action was finished first");
        }
        due.forEach(signal -> previous.get(signal).handle(signal));
    }
}
