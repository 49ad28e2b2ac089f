import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The strerror() words of real failures, as the C program's %m prints them. */
class ErrnoTest {
    @Test
    void realFailuresInStrerrorWords() throws IOException {
        Path work = Files.createTempDirectory("errno");
        try {
            Path file = Files.writeString(work.resolve("file"), "");
            assertEquals("No such file or directory", words(() -> Files.readString(work.resolve("none"))));
            assertEquals("File exists", words(() -> Files.createDirectory(file)));
            assertEquals("Directory not empty", words(() -> Files.delete(work)));
            assertEquals("Not a directory", words(() -> Files.newDirectoryStream(file).close()));
            assertEquals("Not a directory", words(() -> Files.readString(file.resolve("below"))));
        } finally {
            TestFiles.deleteTree(work);
        }
    }

    @Test
    void otherFailures() {
        assertEquals("Permission denied", Errno.text(new AccessDeniedException("/x")));
        assertEquals("Read-only file system", Errno.text(new FileSystemException("/x", null, "Read-only file system")));
        assertEquals("/x", Errno.text(new FileSystemException("/x")));
        assertEquals("Input/output error", Errno.text(new IOException("Input/output error")));
        assertEquals("IOException", Errno.text(new IOException()));
    }

    private interface Failing {
        void run() throws IOException;
    }

    private static String words(Failing action) {
        return Errno.text(assertThrows(IOException.class, action::run));
    }
}
