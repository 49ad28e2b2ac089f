import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which process is in the foreground of its terminal, read from /proc/PID/stat as ForegroundChild
 * reads it for itself: real processes on a pseudo-terminal (script(1)), one in the foreground
 * and one a background job of a shell with job control, and one with no terminal at all.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TerminalForegroundTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    @Test
    void theForegroundJobIsAndABackgroundJobIsNot() throws Exception {
        assumeTrue(SandboxedPostfix.which("script").isPresent(), "needs script(1) (util-linux)");
        String job = "set -m; sleep 30 & echo \"bg $! fg $$ .\"; wait";
        try (Pty pty = Pty.start(List.of("sh", "-c", job))) {
            assertTrue(pty.awaitOutput(" .", PATIENCE), pty.output());
            Matcher pids = Pattern.compile("bg (\\d+) fg (\\d+) \\.").matcher(pty.output());
            assertTrue(pids.find(), pty.output());
            assertTrue(TerminalForeground.of(stat(pids.group(2))), "the shell that runs on the terminal");
            assertFalse(TerminalForeground.of(stat(pids.group(1))), "its background job");
        }
    }

    @Test
    void aProcessWithoutATerminalIsNot() throws Exception {
        assumeTrue(ProcessGroup.available(), "needs setsid(1)");
        Process detached = new ProcessBuilder(ProcessGroup.command(List.of("sleep", "30"))).start();
        try {
            assertFalse(TerminalForeground.of(stat(Long.toString(detached.pid()))));
        } finally {
            detached.destroyForcibly();
        }
    }

    @Test
    void anUnreadableOrShortStatIsNot() throws Exception {
        assertFalse(TerminalForeground.of(tmp.resolve("missing")));
        Path shortStat = Files.writeString(tmp.resolve("stat"), "1 (sh) S 0 1 1\n");
        assertFalse(TerminalForeground.of(shortStat));
        Path garbled = Files.writeString(tmp.resolve("garbled"), "1 (sh) S 0 x 1 0 x\n");
        assertFalse(TerminalForeground.of(garbled));
    }

    private static Path stat(String pid) {
        return Path.of("/proc", pid, "stat");
    }
}
