import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Waits until the JVM has dispatched the signals it has already received. HotSpot's C handler
 * only counts a signal; the "Signal Dispatcher" thread later looks up the Java handler then in
 * place and starts a thread to run it, so a signal can reach Java code well after it arrived,
 * when a loaded machine is slow to schedule that thread. Whoever swaps handlers needs to know
 * that the old ones have been looked up for everything that arrived while they were in place.
 *
 * <p>The barrier is a marker signal (SIGURG, which nothing here uses and whose default action
 * is to ignore it) raised to ourselves: the dispatcher takes pending signals lowest number
 * first, so by the time the marker's handler runs, the dispatcher has looked up the handler of
 * each lower-numbered signal (SIGHUP 1, SIGINT 2, SIGTERM 15) that was pending. It does not wait
 * for those handlers to have run: they run on threads of their own, in no guaranteed order.
 * A signal the kernel has queued but no thread of ours has taken yet is not covered.
 */
final class SignalBarrier {
    private static final Signal MARKER = new Signal("URG");
    /** Only against a dispatcher that never comes (it takes well under a millisecond when idle). */
    private static final long LIMIT_SECONDS = 5;

    private SignalBarrier() {
    }

    static void await() {
        CountDownLatch dispatched = new CountDownLatch(1);
        SignalHandler before;
        try {
            before = Signal.handle(MARKER, signal -> dispatched.countDown());
        } catch (IllegalArgumentException reserved) {
            return; // a JVM that keeps the marker for itself: no barrier, as before there was one
        }
        try {
            Signal.raise(MARKER);
            awaitUninterruptibly(dispatched);
        } finally {
            Signal.handle(MARKER, before);
        }
    }

    /** An interrupt of this thread must not cut the wait short; it is kept for the caller. */
    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        while (true) {
            try {
                latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
