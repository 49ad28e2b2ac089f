import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Our standard output: a PrintStream of bytes (one char per byte) that also remembers why a
 * write failed, where PrintStream itself only records that one did. The C program names the
 * reason ({@code error writing output: No space left on device}).
 */
final class StandardOutput extends PrintStream {
    private final Recorder recorder;

    private StandardOutput(Recorder recorder) {
        super(recorder, false, StandardCharsets.ISO_8859_1);
        this.recorder = recorder;
    }

    static StandardOutput open() {
        return new StandardOutput(new Recorder(new FileOutputStream(FileDescriptor.out)));
    }

    /** Why writing to {@code out} failed, as strerror() words it ("Broken pipe" when unknown). */
    static String failure(PrintStream out) {
        if (out instanceof StandardOutput standard && standard.recorder.failure != null)
            return Errno.text(standard.recorder.failure);
        return "Broken pipe";
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
