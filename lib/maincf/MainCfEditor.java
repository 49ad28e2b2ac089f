import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Edits main.cf text the way postconf does ({@code -e}, {@code -#}, {@code -X}), byte for byte.
 * Names and values are byte strings (one char per byte); the file is handled as bytes, so any
 * byte in lines we do not touch survives.
 *
 * <p>postconf's line rules: a line whose first non-blank character is {@code #}, or that is
 * blank, is copied and does not end a logical line; a line starting with white space continues
 * the current logical line; any other line starts one, and its name is the text up to the first
 * space, tab, CR, LF or {@code =}. The lines of an edited entry are replaced, commented out or
 * dropped; comment and blank lines inside it stay.
 *
 * <p>Two deliberate differences from postconf 3.7: a last line without a newline gets one (3.7
 * glues an appended entry onto it; later Postfix adds the newline too), and new entries are
 * appended sorted by name (3.7 uses hash-table order; later Postfix sorts). A NUL byte is just a
 * byte here, while postconf drops the rest of such a line, newline included.
 */
final class MainCfEditor {
    private static final String NAME_DELIMITERS = " \t\r\n=";

    private enum Mode { SET, COMMENT_OUT, REMOVE }

    private MainCfEditor() {
    }

    /** postconf -e: every definition of a name becomes {@code name = value}; missing names are appended. */
    static byte[] set(byte[] original, Map<String, String> settings) {
        Map<String, String> table = new LinkedHashMap<>();
        settings.forEach((name, value) -> {
            checkName(name);
            if (value.indexOf('\n') >= 0)
                throw new Fatal("value of " + name + " must not contain a newline: \"" + MainCf.printable(value) + "\"");
            table.put(name, value);
        });
        return edit(original, Mode.SET, table);
    }

    /** postconf -#: each definition of the names, with its continuation lines, gets a leading {@code #}. */
    static byte[] commentOut(byte[] original, Collection<String> names) {
        return edit(original, Mode.COMMENT_OUT, namesOnly(names));
    }

    /** postconf -X: each definition of the names is removed with its continuation lines. */
    static byte[] remove(byte[] original, Collection<String> names) {
        return edit(original, Mode.REMOVE, namesOnly(names));
    }

    /**
     * A command-line {@code name=value} (spaces around {@code =} allowed) as postconf -e reads it:
     * split and trimmed; fatal for text without a name or {@code =}, multi-line text or a comment.
     */
    static MainCf.Setting parseSetting(String argument) {
        if (argument.indexOf('\n') >= 0)
            throw new Fatal("a setting must not span lines: \"" + MainCf.printable(argument) + "\"");
        String text = argument.substring(leadingSpace(argument));
        if (text.startsWith("#"))
            throw new Fatal("a setting must not be a comment: \"" + MainCf.printable(argument) + "\"");
        return MainCf.splitNameValue(text);
    }

    private static Map<String, String> namesOnly(Collection<String> names) {
        Map<String, String> table = new LinkedHashMap<>();
        for (String name : names) {
            checkName(name);
            table.put(name, null);
        }
        return table;
    }

    private static void checkName(String name) {
        boolean valid = !name.isEmpty() && !name.startsWith("#");
        for (int i = 0; valid && i < name.length(); i++)
            valid = !MainCf.isSpace(name.charAt(i)) && name.charAt(i) != '=';
        if (!valid) throw new Fatal("invalid parameter name: \"" + MainCf.printable(name) + "\"");
    }

    /**
     * The edit, line by line over the bytes: no String copy of the file, so a big main.cf (a few
     * MB) costs the original, the output and little else.
     */
    private static byte[] edit(byte[] original, Mode mode, Map<String, String> table) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(original.length + 256);
        Set<String> found = new HashSet<>();
        boolean inEditedEntry = false;
        for (int start = 0; start < original.length; ) {
            int end = lineEnd(original, start);
            int content = leadingSpace(original, start, end);
            if (content == end || original[content] == '#') {
                copyLine(out, original, start, end);
            } else if (content > start) {
                if (!inEditedEntry) {
                    copyLine(out, original, start, end);
                } else if (mode == Mode.COMMENT_OUT) {
                    out.write('#');
                    copyLine(out, original, start, end);
                }
            } else {
                String name = nameOf(original, start, end);
                inEditedEntry = table.containsKey(name);
                if (!inEditedEntry) {
                    copyLine(out, original, start, end);
                } else {
                    found.add(name);
                    if (mode == Mode.SET) write(out, entry(name, table.get(name)));
                    if (mode == Mode.COMMENT_OUT) {
                        out.write('#');
                        copyLine(out, original, start, end);
                    }
                }
            }
            start = end;
        }
        if (mode == Mode.SET) appendMissing(out, table, found);
        return out.toByteArray();
    }

    /** Where the line that starts at {@code start} ends: after its newline, or at the end of the file. */
    private static int lineEnd(byte[] text, int start) {
        int i = start;
        while (i < text.length && text[i] != '\n') i++;
        return i < text.length ? i + 1 : text.length;
    }

    /** The line, with a newline added when the file's last line lacks one. */
    private static void copyLine(ByteArrayOutputStream out, byte[] text, int start, int end) {
        out.write(text, start, end - start);
        if (text[end - 1] != '\n') out.write('\n');
    }

    private static void appendMissing(ByteArrayOutputStream out, Map<String, String> table, Set<String> found) {
        new TreeMap<>(table).forEach((name, value) -> {
            if (!found.contains(name)) write(out, entry(name, value));
        });
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Exactly what postconf writes, so an empty value leaves a space after the '='. */
    private static String entry(String name, String value) {
        return name + " = " + value + "\n";
    }

    private static String nameOf(byte[] text, int start, int end) {
        int i = start;
        while (i < end && NAME_DELIMITERS.indexOf((char) (text[i] & 0xff)) < 0) i++;
        return new String(text, start, i - start, StandardCharsets.ISO_8859_1);
    }

    private static int leadingSpace(byte[] text, int start, int end) {
        int i = start;
        while (i < end && MainCf.isSpace((char) (text[i] & 0xff))) i++;
        return i;
    }

    private static int leadingSpace(String text) {
        int i = 0;
        while (i < text.length() && MainCf.isSpace(text.charAt(i))) i++;
        return i;
    }
}
