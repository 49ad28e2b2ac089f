/**
 * A test hook for CrashSafetyTest, inert unless the environment has POSTMULTI_TEST_PAUSE_AT.
 * Writers of the configuration ({@link AtomicFile}, the steps of a {@link ChangePlan}) call
 * {@link #reached} wherever a crash would leave a different state on disk, and the calls are
 * counted from 1. With POSTMULTI_TEST_PAUSE_AT=N the N-th prints
 * {@code postmulti: test pause N: WHERE} on stderr and sleeps until the process is killed, so a
 * test can SIGKILL the tool exactly there; with 0 every point is printed and nothing stops, so a
 * test can count them.
 */
final class CrashPoint {
    /** null (the hook is off), 0 (list the points) or the point to stop at. */
    private static final Integer PAUSE_AT = pauseAt(System.getenv("POSTMULTI_TEST_PAUSE_AT"));
    private static int reached;

    private CrashPoint() {
    }

    static void reached(String where) {
        if (PAUSE_AT == null) return;
        int point = ++reached;
        if (PAUSE_AT != 0 && point != PAUSE_AT) return;
        System.err.println("postmulti: test pause " + point + ": " + where);
        System.err.flush();
        while (PAUSE_AT != 0) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // only SIGKILL is to end this
            }
        }
    }

    private static Integer pauseAt(String value) {
        if (value == null || !value.matches("[0-9]{1,9}")) return null;
        return Integer.valueOf(value);
    }
}
