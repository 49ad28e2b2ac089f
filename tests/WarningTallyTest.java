import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** One warning per kind of problem, naming its first case and how many more, in the order first seen. */
class WarningTallyTest {
    @Test
    void oneWarningPerKind() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Msg.redirect(new PrintStream(err, true, StandardCharsets.ISO_8859_1));
        try {
            WarningTally tally = new WarningTally();
            tally.note("message counts unknown", "/q/a/deferred: Permission denied");
            tally.note("master pids unknown", "/q/a/pid/master.pid: Permission denied");
            tally.note("message counts unknown", "/q/b/deferred: Permission denied");
            tally.note("message counts unknown", "/q/c/deferred: Permission denied");
            tally.report();
            assertEquals("postmulti: warning: /q/a/deferred: Permission denied (and 2 more): message counts unknown\n"
                    + "postmulti: warning: /q/a/pid/master.pid: Permission denied: master pids unknown\n",
                    err.toString(StandardCharsets.ISO_8859_1));
        } finally {
            Msg.redirect(System.err);
        }
    }
}
