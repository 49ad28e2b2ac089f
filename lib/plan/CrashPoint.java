/**
 * A test hook for CrashSafetyTest, inert unless the environment has POSTMULTI_TEST_PAUSE_AT.
 * Writers of the configuration ({@link AtomicFile}, the steps of a {@link ChangePlan}) call
 * {@link #reached} wherever a crash would leave a different state on disk, and the calls are
 * counted from 1. With POSTMULTI_TEST_PAUSE_AT=N the N-th prints
 * {@code postmulti: test pause N: WHERE} on stderr and sleeps until the process is killed, so a
 * test can SIGKILL the tool exactly there; with 0 every point is printed and nothing stops, so a
 * test can count them. With POSTMULTI_TEST_PAUSE_MS=M as well, the pause lasts M milliseconds and
 * the tool goes on: time for a test to send a signal exactly there.
 */
final class CrashPoint {
    /** null (the hook is off), 0 (list the points) or the point to stop at. */
    private static final Integer PAUSE_AT = number(System.getenv("POSTMULTI_TEST_PAUSE_AT"));
    /** null (until killed) or how long to pause. */
    private static final Integer PAUSE_MILLIS = number(System.getenv("POSTMULTI_TEST_PAUSE_MS"));
    private static int reached;

    private CrashPoint() {
    }

    static void reached(String where) {
        if (PAUSE_AT == null) return;
        int point = ++reached;
        if (PAUSE_AT != 0 && point != PAUSE_AT) return;
        System.err.println("postmulti: test pause " + point + ": " + where);
        System.err.flush();
        long end = PAUSE_MILLIS == null ? Long.MAX_VALUE : System.currentTimeMillis() + PAUSE_MILLIS;
        while (PAUSE_AT != 0 && System.currentTimeMillis() < end) {
            try {
                Thread.sleep(Math.min(60_000, end - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                // only SIGKILL (or the end of a timed pause) is to end this
            }
        }
    }

    private static Integer number(String value) {
        if (value == null || !value.matches("[0-9]{1,9}")) return null;
        return Integer.valueOf(value);
    }
}
