import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * A small property-based test driver: a property is checked on generated cases, each made from its
 * own seed (derived from one run seed and the case's number, so that one case can be rerun alone),
 * and a failing case is shrunk greedily before the test fails with it, its seed and how to rerun it.
 *
 * <p>Why not a property-testing library: our cases are grammar-built files whose shrinking is
 * specific anyway, and a library brings a second test engine into the runner. (jqwik, the obvious
 * one, asks since 1.10 not to be used by AI coding agents and prints text addressed to them into
 * the test output, which the project's sessions read.)
 *
 * <p>Environment, for long runs ({@code bench/fuzz-maincf.sh}) and reproducing failures:
 * <ul>
 * <li>{@code POSTMULTI_FUZZ_SEED}: the run seed (a number, or {@code random}); by default a fixed
 * one, so that CI checks the same cases every time.
 * <li>{@code POSTMULTI_FUZZ_CASES}: how many cases each property checks, instead of its own number.
 * <li>{@code POSTMULTI_FUZZ_SECONDS}: a time limit per property, instead of its own.
 * <li>{@code POSTMULTI_FUZZ_CASE}: check only the case with this number.
 * </ul>
 * When {@code POSTMULTI_FUZZ_CASES} is set, each property prints one line: how many cases passed
 * (and which failed, if one did).
 * A shrunk case must fail the same way as the original (see {@link #kind}).
 */
final class RandomCases {
    static final long DEFAULT_SEED = 20_260_525L;
    private static final int MAX_SHRINK_ATTEMPTS = 400;
    private static final long MAX_SHRINK_MILLIS = 60_000;

    /** Makes one case from a random source. */
    interface Generator<T> {
        T generate(Random random);
    }

    /** Checks one case; throws (an AssertionError, say) when it does not hold. */
    interface Property<T> {
        void check(T value) throws Exception;
    }

    /** What a property run did: cases checked and the run seed. */
    record Outcome(int cases, long seed) {
    }

    private RandomCases() {
    }

    /**
     * Checks {@code property} on up to {@code cases} generated cases within {@code seconds} (at least
     * one case is always checked). {@code smaller} lists simpler variants of a case, simplest first.
     */
    static <T> Outcome check(String name, int cases, double seconds, Generator<T> generator,
                             Function<T, List<T>> smaller, Property<T> property) {
        long seed = seed();
        int count = intFromEnvironment("POSTMULTI_FUZZ_CASES", cases);
        double limit = System.getenv("POSTMULTI_FUZZ_SECONDS") != null
                ? Double.parseDouble(System.getenv("POSTMULTI_FUZZ_SECONDS"))
                : System.getenv("POSTMULTI_FUZZ_CASES") != null ? Double.MAX_VALUE : seconds;
        String only = System.getenv("POSTMULTI_FUZZ_CASE");
        int first = only == null ? 0 : Integer.parseInt(only.trim());
        int last = only == null ? count : first + 1;
        long deadline = System.nanoTime() + (long) Math.min(limit * 1e9, Long.MAX_VALUE / 2.0);
        int checked = 0;
        for (int index = first; index < last; index++) {
            if (checked > 0 && System.nanoTime() > deadline) break;
            T value = generator.generate(caseRandom(seed, index));
            Throwable failure = failure(property, value);
            if (failure != null) {
                if (System.getenv("POSTMULTI_FUZZ_CASES") != null)
                    System.out.println(name + ": " + checked + " cases passed, then case " + index + " failed (seed " + seed + ")");
                throw report(name, seed, index, value, failure, smaller, property);
            }
            checked++;
        }
        if (System.getenv("POSTMULTI_FUZZ_CASES") != null)
            System.out.println(name + ": " + checked + " cases passed (seed " + seed + ")");
        return new Outcome(checked, seed);
    }

    /** The random source of one case: the same for the same run seed and case number. */
    static Random caseRandom(long seed, int index) {
        long mixed = seed * 0x9E3779B97F4A7C15L + index;
        mixed ^= mixed >>> 31;
        return new Random(mixed * 0xBF58476D1CE4E5B9L);
    }

    private static long seed() {
        String text = System.getenv("POSTMULTI_FUZZ_SEED");
        if (text == null || text.isBlank()) return DEFAULT_SEED;
        if (text.trim().equals("random")) return new Random().nextLong();
        return Long.parseLong(text.trim());
    }

    private static int intFromEnvironment(String variable, int fallback) {
        String text = System.getenv(variable);
        return text == null || text.isBlank() ? fallback : Integer.parseInt(text.trim());
    }

    private static <T> Throwable failure(Property<T> property, T value) {
        try {
            property.check(value);
            return null;
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) throw (VirtualMachineError) t;
            return t;
        }
    }

    /** Shrinks greedily: the first simpler variant that still fails replaces the case, until none does. */
    private static <T> AssertionError report(String name, long seed, int index, T value, Throwable failure,
                                             Function<T, List<T>> smaller, Property<T> property) {
        T smallest = value;
        Throwable smallestFailure = failure;
        int steps = 0;
        int attempts = 0;
        long deadline = System.nanoTime() + MAX_SHRINK_MILLIS * 1_000_000;
        boolean progress = true;
        while (progress && attempts < MAX_SHRINK_ATTEMPTS && System.nanoTime() < deadline) {
            progress = false;
            for (T candidate : new ArrayList<>(smaller.apply(smallest))) {
                if (++attempts > MAX_SHRINK_ATTEMPTS || System.nanoTime() > deadline) break;
                Throwable candidateFailure = failure(property, candidate);
                // Only the same kind of failure counts, or shrinking drifts to another problem.
                if (candidateFailure != null && kind(candidateFailure).equals(kind(failure))) {
                    smallest = candidate;
                    smallestFailure = candidateFailure;
                    steps++;
                    progress = true;
                    break;
                }
            }
        }
        String message = name + " failed on case " + index + " of seed " + seed
                + " (rerun it alone: POSTMULTI_FUZZ_SEED=" + seed + " POSTMULTI_FUZZ_CASE=" + index + ")\n"
                + (steps > 0 ? "shrunk in " + steps + " steps to:\n" : "the case:\n") + smallest
                + "\nfailure: " + smallestFailure;
        if (steps > 0) message += "\noriginal case:\n" + value + "\noriginal failure: " + failure;
        AssertionError error = new AssertionError(message, smallestFailure);
        if (smallestFailure != failure) error.addSuppressed(failure);
        return error;
    }

    /**
     * The kind of a failure, for shrinking: the first {@code [tag]} in its message, else its class.
     * Properties tag their assertion messages so that a smaller case fails the same way.
     */
    static String kind(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        int open = message.indexOf('[');
        int close = message.indexOf(']', open + 1);
        return open >= 0 && close > open ? message.substring(open, close + 1) : failure.getClass().getName();
    }

    /** A stack trace as text, for failures that a message alone would not explain. */
    static String trace(Throwable t) {
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
