import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Proves that the runner compiles lib/ with the tests and runs them. */
class RunnerSmokeTest {
    @Test
    void fatalKeepsItsMessage() {
        assertEquals("x", new Fatal("x").getMessage());
    }
}
