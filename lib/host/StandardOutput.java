import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Our standard output as the C program's VSTREAM_OUT behaves: bytes (one char per byte),
 * written in blocks of {@link #BUFFER_SIZE} rather than a line at a time (so that
 * {@code postmulti -l | head -1} succeeds as it does with the C program, whose listing reaches
 * the pipe in one write), and a write failure that can be told apart: the C program names its
 * reason ({@code error writing output: No space left on device}), and dies of SIGPIPE, silently,
 * when nobody reads the pipe any more.
 */
final class StandardOutput extends PrintStream {
    /** VSTREAM_BUFSIZE. */
    private static final int BUFFER_SIZE = 4096;
    /** How the JDK words EPIPE. */
    private static final String BROKEN_PIPE = "Broken pipe";
    /** The exit status a shell shows for a process killed by SIGPIPE (128 + 13). */
    static final int KILLED_BY_SIGPIPE = 141;

    private final Recorder recorder;

    private StandardOutput(Recorder recorder) {
        super(recorder, false, StandardCharsets.ISO_8859_1);
        this.recorder = recorder;
    }

    static StandardOutput open() {
        return over(new FileOutputStream(FileDescriptor.out));
    }

    /** The same over another stream (a test's file). */
    static StandardOutput over(OutputStream stream) {
        return new StandardOutput(new Recorder(new BufferedOutputStream(stream, BUFFER_SIZE)));
    }

    /**
     * After a failed write: the JVM ignores SIGPIPE, so where the C program would have been
     * killed by it, {@link ReaderGone} ends us as quietly, with the status a shell would show;
     * any other failure is the C program's fatal error, with strerror()'s words.
     */
    static RuntimeException writeFailure(PrintStream out) {
        IOException failure = out instanceof StandardOutput standard ? standard.recorder.failure : null;
        String reason = failure == null ? BROKEN_PIPE : Errno.text(failure);
        if (reason.equals(BROKEN_PIPE)) return new ReaderGone();
        return new Fatal("error writing output: " + reason);
    }

    /** Nobody reads our output any more. */
    static final class ReaderGone extends RuntimeException {
        ReaderGone() {
            super(BROKEN_PIPE, null, false, false);
        }
    }

    /** Passes everything through, keeping the last exception. */
    private static final class Recorder extends FilterOutputStream {
        private IOException failure;

        Recorder(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }
}
