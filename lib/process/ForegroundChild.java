//COMPILE_OPTIONS -XDignore.symbol.file
// (sun.misc.Signal is the reflection-free way to hold signals; the option silences javac's "internal proprietary API" warnings for it.)
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The child we wait for, and what becomes of SIGINT, SIGTERM and SIGHUP sent to the JVM
 * meanwhile: they are held until the child has ended, so the JVM never dies before its child
 * and never leaves it orphaned. Handlers are in place from before the child starts until after
 * it has been reaped; outside that window the JVM's own handling applies unchanged.
 *
 * <ul>
 * <li>SIGINT: Ctrl-C reaches the child directly (it shares our process group, hence our
 * terminal), so it is not forwarded. When the child has ended, the JVM acts on the held SIGINT
 * only if the child died of SIGINT; a child that caught it and carried on (a shell, an editor)
 * had the last word, and we go on too. This is the shells' "wait and cooperative exit". A SIGINT
 * sent to the JVM alone while the child runs is thereby ignored, as with system(3).
 * <li>The JVM runs Java signal handlers late (see {@link SignalBarrier}): the child can have
 * died of the same Ctrl-C before our handler has heard of it. So when we are in the foreground
 * of our terminal, a child dead of SIGINT is taken to mean that the Ctrl-C reached us too, held
 * or not yet (the terminal sends it to the whole foreground group at once). And a child that did not die of it may leave a Ctrl-C still
 * on its way to us: we wait until the JVM has looked up our handler for it before putting the
 * previous handlers back, and a held SIGINT that is not due is dropped even if its handler
 * runs after that. Outside a terminal's foreground nothing is inferred and nothing waited for.
 * <li>SIGTERM, SIGHUP: usually sent to the JVM alone, so the termination is forwarded to the
 * child (Process.destroy(): SIGTERM; Java has no way to send SIGHUP), the JVM waits for the
 * child, then acts on the held signal.
 * </ul>
 *
 * "Acts on" means calling the handler that was there before, after putting it back: the JVM's
 * default shuts down with status 128+N (shutdown hooks run), exactly as if the signal had
 * arrived when no child was running, so the caller never goes on to the next instance. If the
 * handler before was another holder (SignalHold during a commit), it receives what we held.
 * No shutdown hook is needed: while these handlers are in place INT, TERM and HUP cannot start
 * the JVM's shutdown, and nothing else in postmulti calls System.exit while a child runs.
 *
 * <p>A helper child in a process group of its own ({@link #expectGroup}, see {@link ProcessGroup})
 * is not on our terminal: every signal we hold is forwarded to its whole group, and acted on
 * when the group is gone; waiting for the child means waiting until nothing of its group is left.
 *
 * <p>sun.misc.Signal is one of the critical internal APIs the JDK keeps accessible (module
 * jdk.unsupported, JEP 260): no flags needed on Java 17, no reflection; javac warns that it is
 * proprietary API. Its handlers are Java code, so the child's exec resets them to the default
 * as it should; installing SIG_IGN instead would be inherited by the child.
 * Limits: with {@code -Xrs} the JVM refuses the handlers and signals act at once; a signal
 * ignored when the JVM started stays ignored (and is ignored by the child, as with execvp);
 * Ctrl-\ (SIGQUIT) stays the JVM's, which prints a thread dump and lives on; SIGKILL cannot
 * be held, and the child then outlives us.
 */
final class ForegroundChild implements AutoCloseable {
    private static final Signal INTERRUPT = new Signal("INT");
    private static final List<Signal> TERMINATIONS = List.of(new Signal("TERM"), new Signal("HUP"));
    private static final int DIED_OF_INTERRUPT = 128 + INTERRUPT.getNumber();
    private static final int NOT_ENDED = -1;

    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private final List<Signal> held = new ArrayList<>();
    private final boolean ownGroup;
    private Process child;
    private int exitValue = NOT_ENDED;
    private boolean closed;

    private ForegroundChild(boolean ownGroup) {
        this.ownGroup = ownGroup;
    }

    /** Starts holding the signals; call before starting the child so no signal slips through. */
    static ForegroundChild expect() {
        return holding(new ForegroundChild(false));
    }

    /** The same for a child that leads a process group of its own. */
    static ForegroundChild expectGroup() {
        return holding(new ForegroundChild(true));
    }

    private static ForegroundChild holding(ForegroundChild foreground) {
        foreground.hold(INTERRUPT);
        TERMINATIONS.forEach(foreground::hold);
        return foreground;
    }

    private void hold(Signal signal) {
        try {
            previous.put(signal, Signal.handle(signal, this::receive));
        } catch (IllegalArgumentException reservedWithXrs) {
            // The JVM runs without signal handlers of its own: the signal keeps its default action.
        }
    }

    synchronized void watch(Process started) {
        child = started;
        if (ownGroup && !held.isEmpty()) ProcessGroup.signal(child.pid(), held.get(0).getName());
        else if (terminationHeld()) child.destroy();
    }

    /** Waits for the child to end, however often this thread is interrupted meanwhile. */
    int waitFor() {
        boolean interrupted = false;
        while (true) {
            try {
                int value = child.waitFor();
                if (ownGroup) ProcessGroup.awaitEmpty(child.pid(), signalled());
                synchronized (this) {
                    exitValue = value;
                }
                if (interrupted) Thread.currentThread().interrupt();
                return value;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    /** Runs on a thread the JVM's signal dispatcher starts, possibly after close(). */
    private void receive(Signal signal) {
        synchronized (this) {
            if (!closed) {
                remember(signal);
                return;
            }
            // It arrived while the child ran but runs late: deal with it as close() would have.
            if (!isDue(signal)) return;
        }
        previous.get(signal).handle(signal);
    }

    private void remember(Signal signal) {
        if (!held.contains(signal)) held.add(signal);
        if (child == null) return;
        if (ownGroup) ProcessGroup.signal(child.pid(), signal.getName());
        else if (TERMINATIONS.contains(signal)) child.destroy();
    }

    private synchronized boolean signalled() {
        return !held.isEmpty();
    }

    /** Puts the previous handlers back, then hands them the held signals that are due. */
    @Override
    public void close() {
        boolean foreground = !ownGroup && holdsInterrupt() && TerminalForeground.ours();
        if (foreground && !isDue(INTERRUPT)) SignalBarrier.await();
        previous.forEach(Signal::handle);
        List<Signal> due;
        synchronized (this) {
            closed = true;
            due = new ArrayList<>(held.stream().filter(this::isDue).toList());
            if (foreground && isDue(INTERRUPT) && !due.contains(INTERRUPT)) due.add(INTERRUPT);
        }
        // Each held signal had a Java handler before ours: one ignored at JVM start never arrives.
        due.forEach(signal -> previous.get(signal).handle(signal));
    }

    private synchronized boolean isDue(Signal signal) {
        return ownGroup || !signal.equals(INTERRUPT) || exitValue == DIED_OF_INTERRUPT;
    }

    /** Whether our handler is in place for SIGINT: not with -Xrs, nor when it was ignored at JVM start. */
    private boolean holdsInterrupt() {
        SignalHandler before = previous.get(INTERRUPT);
        return before != null && before != SignalHandler.SIG_IGN;
    }

    private boolean terminationHeld() {
        return held.stream().anyMatch(TERMINATIONS::contains);
    }
}
