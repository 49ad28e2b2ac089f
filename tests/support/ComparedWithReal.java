import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * For test classes that compare with the real postmulti ({@code @ExtendWith(ComparedWithReal.class)}):
 * a test that wanted the oracle ({@link RealPostmulti#canCompare}) where it cannot run still makes
 * its own checks, then ends SKIPPED with the reason, rather than passing as if it had compared.
 */
final class ComparedWithReal implements BeforeEachCallback, AfterEachCallback {
    private static boolean registered;
    private static String missed;

    static void missed(String why) {
        if (!registered) throw new IllegalStateException("the test class lacks @ExtendWith(ComparedWithReal.class)");
        if (missed == null) missed = why;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        registered = true;
        missed = null;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        String why = missed;
        registered = false;
        missed = null;
        if (why != null) throw new TestAbortedException("comparison with the real postmulti skipped: " + why);
    }
}
