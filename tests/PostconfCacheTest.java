import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cache of postconf -d's answer (PostconfCache, through ParamDefaults) saves the child
 * process, and never gives a value the current postconf would not: a changed binary is asked
 * again, and a cache that cannot be written, was tampered with, or is torn is not used.
 *
 * <p>The postconf here is a wrapper script around the real one that counts its runs, so that
 * the test sees when the cache answered; replacing it changes the binary's identity.
 */
class PostconfCacheTest {
    private Path work;
    private Path postconf;
    private Path runs;
    private Path cacheDirectory;

    @BeforeEach
    void wrapRealPostconf() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Postconf.BINARY), "real postconf not installed (apt-get install postfix)");
        work = Files.createTempDirectory("postconf-cache");
        postconf = work.resolve("bin/postconf");
        runs = work.resolve("runs");
        cacheDirectory = work.resolve("cache");
        installWrapper("");
    }

    @AfterEach
    void cleanUp() {
        if (work != null) TestFiles.deleteTree(work);
    }

    @Test
    void secondRunIsAnsweredByTheCache() throws IOException {
        assertEquals(realDaemonDirectory(), daemonDirectory());
        assertEquals(realDaemonDirectory(), daemonDirectory());
        assertEquals(1, postconfRuns());
    }

    @Test
    void changedBinaryIsAskedAgain() throws IOException {
        daemonDirectory();
        installWrapper(replacingDaemonDirectory("/changed"));
        assertEquals("/changed", daemonDirectory());
        assertEquals("/changed", daemonDirectory());
        assertEquals(2, postconfRuns());
    }

    /**
     * A binary of the same size and modification time (as cp -p or a package tool may leave):
     * put in place by rename (another inode), and rewritten in place (only the change time differs).
     */
    @Test
    void lookAlikeBinaryIsAskedAgain() throws IOException {
        installWrapper(replacingDaemonDirectory("/aaaaaaa"));
        assertEquals("/aaaaaaa", daemonDirectory());
        FileTime modified = Files.getLastModifiedTime(postconf);

        Path replacement = work.resolve("bin/postconf.new");
        TestFiles.write(replacement, wrapperText(replacingDaemonDirectory("/bbbbbbb")));
        replacement.toFile().setExecutable(true);
        Files.setLastModifiedTime(replacement, modified);
        Files.move(replacement, postconf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals("/bbbbbbb", daemonDirectory());

        installWrapper(replacingDaemonDirectory("/ccccccc"));
        Files.setLastModifiedTime(postconf, modified);
        assertEquals("/ccccccc", daemonDirectory());
        assertEquals(3, postconfRuns());
    }

    @Test
    void unwritableCacheStillGivesTheRightValues() throws IOException {
        Files.writeString(work.resolve("file"), "");
        cacheDirectory = work.resolve("file/cache");
        assertEquals(realDaemonDirectory(), daemonDirectory());
        installWrapper(replacingDaemonDirectory("/changed"));
        assertEquals("/changed", daemonDirectory());
        assertEquals(2, postconfRuns());
    }

    /** A forged value is used from a private file (so the cache really is read), never from one others may write. */
    @Test
    void cacheWritableByOthersIsNotRead() throws IOException {
        daemonDirectory();
        Path file = cacheDirectory.resolve("postconf-defaults");
        forge(file);
        assertEquals("/forged", daemonDirectory());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals(realDaemonDirectory(), daemonDirectory());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(cacheDirectory, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(realDaemonDirectory(), daemonDirectory());
    }

    @Test
    void tornCacheIsNotRead() throws IOException {
        daemonDirectory();
        Path file = cacheDirectory.resolve("postconf-defaults");
        byte[] whole = Files.readAllBytes(file);
        String text = new String(whole, StandardCharsets.ISO_8859_1);
        // Cut just before daemon_directory's line and append a forged one: a length check must catch it.
        int line = text.indexOf("\ndaemon_directory = ");
        Files.write(file, (text.substring(0, line) + "\ndaemon_directory = /torn\n").getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(realDaemonDirectory(), daemonDirectory());
    }

    private String daemonDirectory() {
        return ParamDefaults.fromPostconf(postconf, new PostconfCache(cacheDirectory)).get("daemon_directory");
    }

    private static String realDaemonDirectory() {
        String line = Postconf.run(Path.of("/etc/postfix"), "-d", "daemon_directory").out().strip();
        return line.substring(line.indexOf("= ") + 2);
    }

    private int postconfRuns() throws IOException {
        return Files.readAllLines(runs).size();
    }

    private void installWrapper(String filter) {
        TestFiles.write(postconf, wrapperText(filter));
        postconf.toFile().setExecutable(true);
    }

    private static String replacingDaemonDirectory(String value) {
        return " | sed 's|^daemon_directory = .*|daemon_directory = " + value + "|'";
    }

    private String wrapperText(String filter) {
        return "#!/bin/sh\necho run >>" + runs + "\nexec /usr/sbin/postconf \"$@\"" + filter + "\n";
    }

    /** Rewrites the cached daemon_directory to /forged, keeping the file's header and length right. */
    private static void forge(Path file) throws IOException {
        String[] parts = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).split("\n", 4);
        String output = parts[3].replaceFirst("(?m)^daemon_directory = .*$", "daemon_directory = /forged");
        String text = parts[0] + "\n" + parts[1] + "\n" + output.length() + "\n" + output;
        Files.write(file, text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
