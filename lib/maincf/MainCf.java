import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One main.cf as Postfix reads it (readlline + split_nameval + dict_load_fp, checked against
 * postconf 3.7). Names and values are byte strings (one char per byte, ISO-8859-1), like every
 * value inside the tool, so any byte survives.
 *
 * <ul>
 * <li>A logical line starts with a non-blank character; physical lines that start with white
 * space continue it and are joined as they are (newline dropped, their leading white space kept).
 * <li>Blank lines and lines whose first non-blank character is {@code #} are skipped, also in the
 * middle of a logical line.
 * <li>Text that starts with white space before any logical line is ignored with a warning
 * (with its continuation lines).
 * <li>{@code name = value}: white space around the name, around {@code =} and at the end is dropped;
 * a line without {@code =} is fatal. A NUL byte ends the logical line's text, as in C.
 * <li>A later definition overrides an earlier one (a warning when the values differ).
 * </ul>
 * White space is Postfix's ISSPACE: ASCII space, tab, newline, vertical tab, form feed and CR.
 * So a CRLF file reads as if it had plain newlines.
 */
final class MainCf {
    /**
     * Far above any real main.cf (the stock one is 30 kB), and small enough that parsing and
     * editing one stay within the launcher's 64 MB heap; keeps a wrong path (a disk image,
     * /dev/zero) or a hostile file from ending in an out-of-memory error.
     */
    static final int MAX_BYTES = 4 << 20;
    private static final String CONFIG_DIRECTORY = "config_directory";

    /** One effective setting and the line its logical line started on. */
    record Definition(String name, String value, int line) {
    }

    /** A {@code name = value} pair, split and trimmed. */
    record Setting(String name, String value) {
    }

    /**
     * A main.cf that cannot be opened, read or parsed: postconf fails on it with the same
     * message. (A bound of our own, or an expansion error, is a plain {@link Fatal}: postconf
     * words those differently, or not at all.)
     */
    static final class Unreadable extends Fatal {
        Unreadable(String message) {
            super(message);
        }
    }

    /** A logical line's text and the physical line it started on (1-based). */
    private record LogicalLine(String text, int firstLine) {
    }

    /** A reader's warning, and the line it is about (for its place among the others). */
    private record Warning(int line, String text) {
    }

    private final String displayName;
    private final byte[] bytes;
    private final Map<String, Definition> definitions;
    private final List<Warning> warnings;
    /** The first definition of config_directory, or null. */
    private final Definition firstConfigDirectory;

    private MainCf(String displayName, byte[] bytes, Map<String, Definition> definitions, List<Warning> warnings,
                   Definition firstConfigDirectory) {
        this.displayName = displayName;
        this.bytes = bytes;
        this.definitions = definitions;
        this.warnings = warnings;
        this.firstConfigDirectory = firstConfigDirectory;
    }

    /** Reads and parses a host path's file (see {@link Host}); messages name it by that path. */
    static MainCf read(Host host, String path) {
        return parseOwn(path, readBounded(host.path(path), path));
    }

    /** Reads and parses a file; the display name is the path as given, as Postfix prints it. */
    static MainCf read(Path file) {
        String name = Host.fromOs(file.toString());
        return parseOwn(name, readBounded(file, name));
    }

    private static byte[] readBounded(Path file, String name) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] content = in.readNBytes(MAX_BYTES + 1);
            if (content.length > MAX_BYTES)
                throw new Fatal(name + ": file too large (more than " + MAX_BYTES + " bytes)");
            return content;
        } catch (NoSuchFileException | AccessDeniedException e) {
            throw new Unreadable("open " + name + ": " + Errno.text(e));
        } catch (IOException e) {
            throw new Unreadable("read " + name + ": " + Errno.text(e));
        }
    }

    static MainCf parse(String displayName, byte[] bytes) {
        return parseOwn(displayName, bytes.clone());
    }

    /** {@link #parse} of an array no one else has. */
    private static MainCf parseOwn(String displayName, byte[] copy) {
        Map<String, Definition> definitions = new LinkedHashMap<>();
        List<Warning> warnings = new ArrayList<>();
        Definition firstConfigDirectory = null;
        for (LogicalLine line : logicalLines(copy)) {
            if (isSpace(line.text().charAt(0))) {
                warnings.add(new Warning(line.firstLine(), displayName + ": logical line must not start with whitespace: \""
                        + clip(line.text(), 30) + "\""));
                continue;
            }
            Definition definition = define(displayName, line);
            Definition earlier = definitions.get(definition.name());
            if (earlier != null && !earlier.value().equals(definition.value()))
                warnings.add(overriding(displayName, line.firstLine(), earlier.name(), earlier.value()));
            if (firstConfigDirectory == null && definition.name().equals(CONFIG_DIRECTORY)) firstConfigDirectory = definition;
            definitions.put(definition.name(), definition);
        }
        return new MainCf(displayName, copy, Collections.unmodifiableMap(definitions), List.copyOf(warnings),
                firstConfigDirectory);
    }

    private static Warning overriding(String displayName, int line, String name, String earlierValue) {
        return new Warning(line, displayName + ", line " + line + ": overriding earlier entry: " + name + "=" + earlierValue);
    }

    /**
     * Splits text into logical lines. Like readlline, a line of white space and a comment line
     * neither start nor end a logical line; a missing final newline changes nothing.
     */
    private static List<LogicalLine> logicalLines(byte[] text) {
        List<LogicalLine> lines = new ArrayList<>();
        StringBuilder current = null;
        int currentStart = 0;
        int lineNumber = 0;
        for (int start = 0; start < text.length; ) {
            int end = start;
            while (end < text.length && text[end] != '\n') end++;
            int lineStart = start;
            start = end + 1;
            lineNumber++;
            // Only lines with content become Strings: comments are most of a big main.cf.
            if (isBlankOrComment(text, lineStart, end)) continue;
            String physical = new String(text, lineStart, end - lineStart, StandardCharsets.ISO_8859_1);
            if (current != null && isSpace(physical.charAt(0))) {
                current.append(physical);
                continue;
            }
            if (current != null) lines.add(new LogicalLine(current.toString(), currentStart));
            current = new StringBuilder(physical);
            currentStart = lineNumber;
        }
        if (current != null) lines.add(new LogicalLine(current.toString(), currentStart));
        return lines;
    }

    private static boolean isBlankOrComment(byte[] text, int start, int end) {
        int i = start;
        while (i < end && isSpace((char) (text[i] & 0xff))) i++;
        return i == end || text[i] == '#';
    }

    private static Definition define(String displayName, LogicalLine line) {
        try {
            Setting setting = splitNameValue(untilNul(line.text()));
            return new Definition(setting.name(), setting.value(), line.firstLine());
        } catch (Fatal malformed) {
            throw new Unreadable(displayName + ", line " + line.firstLine() + ": " + malformed.getMessage());
        }
    }

    /**
     * Postfix's split_nameval: {@code name = value} with white space around the name, around
     * {@code =} and at the end dropped. Fatal, in postconf's words, when the name or {@code =} is missing.
     */
    static Setting splitNameValue(String text) {
        int nameStart = skipSpace(text, 0);
        if (nameStart == text.length() || text.charAt(nameStart) == '=')
            throw new Fatal("missing attribute name: \"" + printable(text) + "\"");
        int nameEnd = nameStart;
        while (nameEnd < text.length() && !isSpace(text.charAt(nameEnd)) && text.charAt(nameEnd) != '=') nameEnd++;
        int equals = skipSpace(text, nameEnd);
        if (equals == text.length() || text.charAt(equals) != '=')
            throw new Fatal("missing '=' after attribute name: \"" + printable(text) + "\"");
        int valueStart = skipSpace(text, equals + 1);
        int valueEnd = text.length();
        while (valueEnd > valueStart && isSpace(text.charAt(valueEnd - 1))) valueEnd--;
        return new Setting(text.substring(nameStart, nameEnd), text.substring(valueStart, valueEnd));
    }

    private static int skipSpace(String text, int from) {
        int i = from;
        while (i < text.length() && isSpace(text.charAt(i))) i++;
        return i;
    }

    /** Postfix's ISSPACE: ASCII white space only (bytes above 127 never count). */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    /**
     * What Postfix's logging shows of a text (printable() on every message): printable ASCII as
     * it is, any other byte, control characters and bytes above 126 alike (also those of UTF-8),
     * as '?'. Checked with postconf 3.7, which warns about "\u00c3\u00a9" as "??".
     */
    static String printable(String text) {
        return Msg.printable(text, false);
    }

    private static String clip(String text, int length) {
        return text.length() > length ? printable(text.substring(0, length)) + "..." : printable(text);
    }

    /** C code sees a string up to its first NUL byte. */
    private static String untilNul(String text) {
        int nul = text.indexOf('\0');
        return nul < 0 ? text : text.substring(0, nul);
    }

    /** Whether the file at a host path holds the bytes this was parsed from (no copy is kept). */
    boolean unchanged(Host host, String path) {
        try {
            return Arrays.equals(bytes, readBounded(host.path(path), path));
        } catch (Fatal unreadable) {
            return false;
        }
    }

    String displayName() {
        return displayName;
    }

    /**
     * The bytes it was parsed from: the array itself, not a copy, to be read and never changed
     * (a big main.cf is a few MB, and a plan holds it as the "before" of its edit).
     */
    byte[] bytes() {
        return bytes;
    }

    /** The value Postfix uses (the last definition), unexpanded; null when not set. */
    String raw(String name) {
        Definition definition = definitions.get(name);
        return definition == null ? null : definition.value();
    }

    boolean isSet(String name) {
        return definitions.containsKey(name);
    }

    /** The effective definition of a name, with its line number; null when not set. */
    Definition definition(String name) {
        return definitions.get(name);
    }

    /** Every name with its effective value, in the order the names were first defined. */
    Map<String, String> rawValues() {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, Definition> entry : definitions.entrySet()) values.put(entry.getKey(), entry.getValue().value());
        return values;
    }

    /** What postconf would warn about while reading: overridden entries, text before the first line. */
    List<String> warnings() {
        return texts(warnings);
    }

    /**
     * The warnings of a Postfix program that reads this file as an instance's main.cf: it
     * starts from a dictionary that holds config_directory = the instance's directory, so a
     * first definition of config_directory with another value overrides that too.
     */
    List<String> warningsReadAs(String configDirectory) {
        if (firstConfigDirectory == null || firstConfigDirectory.value().equals(configDirectory)) return warnings();
        Warning seed = overriding(displayName, firstConfigDirectory.line(), CONFIG_DIRECTORY, configDirectory);
        List<Warning> all = new ArrayList<>(warnings);
        int at = 0;
        while (at < all.size() && all.get(at).line() <= seed.line()) at++;
        all.add(at, seed);
        return texts(all);
    }

    private static List<String> texts(List<Warning> warnings) {
        List<String> texts = new ArrayList<>(warnings.size());
        for (Warning warning : warnings) texts.add(warning.text());
        return List.copyOf(texts);
    }
}
