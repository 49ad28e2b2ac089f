import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Our standard output: written in blocks as the C program's stdout is, bytes as they are, and a
 * failed write told apart: a reader gone (EPIPE) ends us quietly, any other failure (here the
 * real ENOSPC of /dev/full) is fatal with strerror()'s words.
 */
class StandardOutputTest {
    /** Records each write that reaches it. */
    private static final class Counting extends ByteArrayOutputStream {
        int writes;

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            writes++;
            super.write(bytes, offset, length);
        }
    }

    @Test
    void writtenInBlocksNotLines() {
        Counting sink = new Counting();
        StandardOutput out = StandardOutput.over(sink);
        String line = "postfix-a       -               y         /etc/postfix-a";
        for (int i = 0; i < 100; i++) out.println(line);
        assertEquals(1, sink.writes, "the first 4096 bytes in one write, the rest still buffered");
        out.print('\u00e9');
        out.flush();
        assertEquals(2, sink.writes);
        assertEquals(100 * (line.length() + 1) + 1, sink.size());
        assertEquals('\u00e9', sink.toString(StandardCharsets.ISO_8859_1).charAt(100 * (line.length() + 1)));
        assertFalse(out.checkError());
    }

    @Test
    void aFullDeviceIsFatalWithItsReason() throws IOException {
        for (int way = 0; way < 3; way++) {
            try (FileOutputStream full = new FileOutputStream("/dev/full")) {
                StandardOutput out = StandardOutput.over(full);
                switch (way) {
                    case 0 -> out.print("x".repeat(5000));
                    case 1 -> {
                        for (int i = 0; i < 5000; i++) out.write('x');
                    }
                    default -> {
                        out.print("x");
                        out.flush();
                    }
                }
                assertTrue(out.checkError(), "way " + way);
                RuntimeException failure = StandardOutput.writeFailure(out);
                assertInstanceOf(Fatal.class, failure, "way " + way);
                assertEquals("error writing output: No space left on device", failure.getMessage());
            }
        }
    }

    @Test
    void aReaderGoneEndsUsQuietly() {
        StandardOutput out = StandardOutput.over(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        });
        out.print("x".repeat(5000));
        assertTrue(out.checkError());
        assertInstanceOf(StandardOutput.ReaderGone.class, StandardOutput.writeFailure(out));
        assertInstanceOf(StandardOutput.ReaderGone.class, StandardOutput.writeFailure(new PrintStream(new ByteArrayOutputStream())));
    }
}
