import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The real postconf as an oracle for random main.cf files, with the documented differences
 * between postconf 3.7 and our engine allowed for (the same ones PostconfDifferentialTest allows):
 *
 * <ul>
 * <li>postconf 3.7 appends new entries in hash-table order, we sort: the appended lines are
 * compared as a set;
 * <li>postconf 3.7 glues an appended entry onto a last line that lacks its newline, we add the
 * newline: postconf gets the input with the newline added;
 * <li>postconf prints values with runs of space, tab, CR and LF folded to one space (not \v or
 * \f), none at the ends: our values are folded the same way before comparing;
 * <li>postconf drops the rest of a line after a NUL byte: the fuzzer makes no NUL bytes.
 * </ul>
 *
 * <p>Two things make it fast and exact. Arguments reach postconf byte for byte through
 * {@code xargs -0} (a Java argument is encoded in the JVM's charset, so byte 0xE9 would not
 * arrive as 0xE9). And main.cf's modification time is set an hour back before each run: Postfix
 * rereads a file modified within the last second until it is stable (dict_load_file), which costs
 * 0.3 s a round and made a postconf call on a fresh file take about two seconds.
 */
final class PostconfOracle {
    private static Set<String> knownNames;

    private PostconfOracle() {
    }

    /** {@code postconf -c DIR ARGS...}, the arguments as byte strings. */
    static Postconf.Result run(Path directory, List<String> arguments) {
        try {
            Path mainCf = directory.resolve("main.cf");
            if (Files.exists(mainCf))
                Files.setLastModifiedTime(mainCf, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
            Path argumentFile = directory.resolveSibling(directory.getFileName() + ".args");
            StringBuilder text = new StringBuilder();
            for (String argument : arguments) text.append(argument).append('\0');
            Files.write(argumentFile, text.toString().getBytes(StandardCharsets.ISO_8859_1));
            try {
                return xargs(directory, argumentFile);
            } finally {
                Files.deleteIfExists(argumentFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Postconf.Result xargs(Path directory, Path argumentFile) {
        // Postconf.run puts "postconf -c DIR" first; here xargs does, reading the arguments from the file.
        List<String> command = List.of("/usr/bin/xargs", "-0", "-a", argumentFile.toString(), "--",
                Postconf.BINARY.toString(), "-c", directory.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().remove("MAIL_CONFIG");
        try {
            Process process = builder.start();
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            Thread errReader = new Thread(() -> {
                try (var in = process.getErrorStream()) {
                    in.transferTo(err);
                } catch (IOException ignored) {
                    // the process ended; what was read is what there is
                }
            });
            errReader.start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("postconf timed out: " + command);
            }
            errReader.join();
            // xargs says 123 when the command exited 1 to 125.
            int status = process.exitValue() == 123 ? 1 : process.exitValue();
            return new Postconf.Result(status, out, err.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every parameter name postconf knows by itself (from {@code postconf -d}), read once. */
    static synchronized Set<String> knownNames(Path scratch) {
        if (knownNames == null) {
            Path directory = Postconf.directoryWith(scratch, "known-names", new byte[0]);
            Postconf.Result result = run(directory, List.of("-d"));
            if (result.status() != 0) throw new IllegalStateException("postconf -d: " + result.stderr());
            knownNames = new TreeSet<>(settings(result.out()).keySet());
        }
        return knownNames;
    }

    /** postconf's {@code name = value} output lines, in order. */
    static Map<String, String> settings(String output) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (line.isEmpty()) continue;
            int equals = line.indexOf(" =");
            String name = line.substring(0, equals);
            String value = line.substring(equals + 2);
            settings.put(name, value.startsWith(" ") ? value.substring(1) : value);
        }
        return settings;
    }

    /** A value as postconf prints it: runs of space, tab, CR and LF as one space, none at the ends. */
    static String folded(String value) {
        return value.replaceAll("[ \t\r\n]+", " ").replaceAll("^ | $", "");
    }

    /** What postconf is given to edit: the input with a final newline (see the class comment). */
    static byte[] terminated(byte[] input) {
        if (input.length == 0 || input[input.length - 1] == '\n') return input;
        byte[] terminated = java.util.Arrays.copyOf(input, input.length + 1);
        terminated[input.length] = '\n';
        return terminated;
    }

    /**
     * Null when postconf's edit result and ours agree: byte for byte, except that the last
     * {@code appended} lines may come in another order. Else a description of the difference.
     */
    static String editDifference(byte[] theirs, byte[] ours, int appended) {
        List<String> theirLines = lines(new String(theirs, StandardCharsets.ISO_8859_1));
        List<String> ourLines = lines(new String(ours, StandardCharsets.ISO_8859_1));
        int kept = theirLines.size() - appended;
        boolean same = theirLines.size() == ourLines.size() && kept >= 0
                && theirLines.subList(0, kept).equals(ourLines.subList(0, kept))
                && counts(theirLines.subList(kept, theirLines.size())).equals(counts(ourLines.subList(kept, ourLines.size())));
        if (same) return null;
        return "postconf wrote:\n" + MainCfGrammar.escape(String.join("", theirLines))
                + "\nwe wrote:\n" + MainCfGrammar.escape(String.join("", ourLines));
    }

    /**
     * How many entries postconf -e appends: the names not found at the start of a line, as
     * postconf's editor finds names (up to space, tab, CR, LF or '=').
     */
    static int appendedBy(byte[] input, Collection<String> names) {
        Set<String> present = new TreeSet<>();
        for (String line : lines(new String(input, StandardCharsets.ISO_8859_1))) {
            if (line.isEmpty() || MainCf.isSpace(line.charAt(0)) || line.charAt(0) == '#') continue;
            int end = 0;
            while (end < line.length() && " \t\r\n=".indexOf(line.charAt(end)) < 0) end++;
            present.add(line.substring(0, end));
        }
        int appended = 0;
        for (String name : new TreeSet<>(names)) if (!present.contains(name)) appended++;
        return appended;
    }

    private static Map<String, Integer> counts(List<String> lines) {
        Map<String, Integer> counts = new HashMap<>();
        for (String line : lines) counts.merge(line, 1, Integer::sum);
        return counts;
    }

    /** Lines with their newlines. */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end + 1;
            lines.add(text.substring(start, end));
            start = end;
        }
        return lines;
    }
}
