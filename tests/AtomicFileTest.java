import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static int mode(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:mode") & 07777;
    }

    @Test
    void replaceWritesTheNewContentAndLeavesNothingElse() throws IOException {
        Path target = dir.resolve("main.cf");
        Files.write(target, bytes("old\n"));
        AtomicFile.replace(target, bytes("new \u00e9\u00ff\n"));
        assertArrayEquals(bytes("new \u00e9\u00ff\n"), Files.readAllBytes(target));
        assertEquals(List.of("main.cf"), names());
    }

    /**
     * The new content is on disk before its name, and the name before we go on: the temporary
     * file synced, then renamed (or linked) into place, then the directory synced, as strace
     * sees the system calls.
     */
    @Test
    void replaceSyncsTheDataThenRenamesThenSyncsTheDirectory() throws IOException, InterruptedException {
        Path target = dir.resolve("main.cf");
        Files.write(target, bytes("old\n"));
        List<String> calls = SyscallTrace.during(dir, () -> AtomicFile.replace(target, bytes("new\n")));
        assertEquals(List.of("sync DIR/TMP", "rename DIR/TMP DIR/main.cf", "sync DIR"), named(calls, "main.cf"));
    }

    @Test
    void createSyncsTheDataThenLinksThenSyncsTheDirectory() throws IOException, InterruptedException {
        Path target = dir.resolve("master.cf");
        List<String> calls = SyscallTrace.during(dir, () -> AtomicFile.create(target, bytes("new\n"), "0644"));
        assertEquals(List.of("sync DIR/TMP", "link DIR/TMP DIR/master.cf", "sync DIR"), named(calls, "master.cf"));
    }

    /** The calls with this test's directory shown as DIR and our temporary file for {@code name} as TMP. */
    private List<String> named(List<String> calls, String name) {
        String temporary = Pattern.quote("." + name + ".") + "[0-9a-f]{16}\\.tmp";
        return calls.stream().map(call -> call.replace(dir.toString(), "DIR").replaceAll(temporary, "TMP")).toList();
    }

    @Test
    void replaceKeepsTheMode() throws IOException {
        Path target = dir.resolve("main.cf");
        Files.write(target, bytes("old\n"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
        AtomicFile.replace(target, bytes("new\n"));
        assertEquals(0640, mode(target));
    }

    @Test
    void replaceKeepsTheNumericOwnerAndGroup() throws IOException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "changing owners needs root");
        Path target = dir.resolve("main.cf");
        Files.write(target, bytes("old\n"));
        Files.setAttribute(target, "unix:uid", 54321);
        Files.setAttribute(target, "unix:gid", 54322);
        Files.setAttribute(target, "unix:mode", 02644);
        AtomicFile.replace(target, bytes("new\n"));
        assertEquals(54321, Files.getAttribute(target, "unix:uid"));
        assertEquals(54322, Files.getAttribute(target, "unix:gid"));
        assertEquals(02644, mode(target));
    }

    @Test
    void replaceOfAMissingFileIsFatalNamingIt() throws IOException {
        Path target = dir.resolve("main.cf");
        Fatal e = assertThrows(Fatal.class, () -> AtomicFile.replace(target, bytes("x")));
        assertEquals("update " + target + ": No such file or directory", e.getMessage());
        assertEquals(List.of(), names());
    }

    @Test
    void failedRenameRemovesTheTemporaryFile() throws IOException {
        Path target = dir.resolve("main.cf");
        Files.createDirectory(target);
        Files.write(target.resolve("inside"), bytes("x"));
        Fatal e = assertThrows(Fatal.class, () -> AtomicFile.replace(target, bytes("new\n")));
        assertTrue(e.getMessage().startsWith("update " + target + ": "), e.getMessage());
        assertEquals(List.of("main.cf"), names());
    }

    @Test
    void missingDirectoryIsFatal() {
        Path target = dir.resolve("nosuch/main.cf");
        Fatal e = assertThrows(Fatal.class, () -> AtomicFile.create(target, bytes("x"), "0644"));
        assertEquals("write " + target + ": No such file or directory", e.getMessage());
    }

    @Test
    void replaceReplacesASymbolicLinkLikePostconf() throws IOException {
        Path real = dir.resolve("real.cf");
        Files.write(real, bytes("old\n"));
        Path link = Files.createSymbolicLink(dir.resolve("main.cf"), real);
        AtomicFile.replace(link, bytes("new\n"));
        assertFalse(Files.isSymbolicLink(link));
        assertArrayEquals(bytes("new\n"), Files.readAllBytes(link));
        assertArrayEquals(bytes("old\n"), Files.readAllBytes(real));
    }

    @Test
    void createMakesANewFileWithTheModeWhateverTheUmask() throws IOException {
        Path octal = dir.resolve("a.cf");
        AtomicFile.create(octal, bytes("a\n"), "0664");
        assertEquals(0664, mode(octal));
        Path symbolic = dir.resolve("b.cf");
        AtomicFile.create(symbolic, bytes("b\n"), "rw-------");
        assertEquals(0600, mode(symbolic));
        assertArrayEquals(bytes("b\n"), Files.readAllBytes(symbolic));
        assertEquals(List.of("a.cf", "b.cf"), names());
    }

    @Test
    void createRefusesAnExistingFileAndLeavesItAlone() throws IOException {
        Path target = dir.resolve("main.cf");
        Files.write(target, bytes("keep\n"));
        Fatal e = assertThrows(Fatal.class, () -> AtomicFile.create(target, bytes("new\n"), "0644"));
        assertEquals("create " + target + ": File exists", e.getMessage());
        assertArrayEquals(bytes("keep\n"), Files.readAllBytes(target));
        assertEquals(List.of("main.cf"), names());
    }

    @Test
    void createRefusesADanglingSymbolicLink() throws IOException {
        Path target = Files.createSymbolicLink(dir.resolve("main.cf"), dir.resolve("elsewhere"));
        assertThrows(Fatal.class, () -> AtomicFile.create(target, bytes("new\n"), "0644"));
        assertFalse(Files.exists(dir.resolve("elsewhere"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void badModesAreFatal() {
        Path target = dir.resolve("main.cf");
        assertThrows(Fatal.class, () -> AtomicFile.create(target, bytes("x"), "rwx"));
        assertThrows(Fatal.class, () -> AtomicFile.create(target, bytes("x"), "4755"));
        assertFalse(Files.exists(target));
        assertEquals(PosixFilePermissions.fromString("rwxrwxrwx"), AtomicFile.permissions("0777"));
        assertEquals("unsupported file mode: 1000", assertThrows(Fatal.class, () -> AtomicFile.permissions("1000")).getMessage());
    }

    /**
     * Temporary files of ours that a killed run left next to the target are removed, each with a
     * warning, before the new one is written; what only looks like one (another name, a
     * directory) stays.
     */
    @Test
    void temporaryFilesLeftByAKilledRunAreRemovedWithAWarning() throws IOException {
        Path target = dir.resolve("main.cf");
        Files.write(target, bytes("old\n"));
        Path leftover = dir.resolve(".main.cf.0123456789abcdef.tmp");
        Files.write(leftover, bytes("half"));
        Files.createDirectory(dir.resolve(".main.cf.fedcba9876543210.tmp"));
        Files.write(dir.resolve(".main.cf.0123456789abcdeX.tmp"), bytes("not ours"));
        Files.write(dir.resolve(".master.cf.0123456789abcdef.tmp"), bytes("another file's"));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Msg.redirect(new java.io.PrintStream(err, true, StandardCharsets.ISO_8859_1));
        try {
            AtomicFile.replace(target, bytes("new\n"));
        } finally {
            Msg.redirect(System.err);
        }
        assertEquals("postmulti: warning: removed " + leftover + ", left by an interrupted run\n",
                err.toString(StandardCharsets.ISO_8859_1));
        assertEquals(List.of(".main.cf.0123456789abcdeX.tmp", ".main.cf.fedcba9876543210.tmp", ".master.cf.0123456789abcdef.tmp",
                "main.cf"), names());
    }
}
