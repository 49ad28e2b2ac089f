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

    private static byte[] edit(byte[] original, Mode mode, Map<String, String> table) {
        String text = new String(original, StandardCharsets.ISO_8859_1);
        StringBuilder out = new StringBuilder(text.length() + 256);
        Set<String> found = new HashSet<>();
        boolean inEditedEntry = false;
        for (int start = 0; start < text.length(); ) {
            int newline = text.indexOf('\n', start);
            int end = newline < 0 ? text.length() : newline + 1;
            String line = newline < 0 ? text.substring(start) + "\n" : text.substring(start, end);
            start = end;
            int content = leadingSpace(line);
            if (content == line.length() || line.charAt(content) == '#') {
                out.append(line);
            } else if (content > 0) {
                if (!inEditedEntry) out.append(line);
                else if (mode == Mode.COMMENT_OUT) out.append('#').append(line);
            } else {
                String name = nameOf(line);
                inEditedEntry = table.containsKey(name);
                if (!inEditedEntry) out.append(line);
                else editEntry(out, mode, found, name, table.get(name), line);
            }
        }
        if (mode == Mode.SET) appendMissing(out, table, found);
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void editEntry(StringBuilder out, Mode mode, Set<String> found, String name, String value,
                                  String line) {
        found.add(name);
        switch (mode) {
            case SET -> out.append(entry(name, value));
            case COMMENT_OUT -> out.append('#').append(line);
            case REMOVE -> { }
        }
    }

    private static void appendMissing(StringBuilder out, Map<String, String> table, Set<String> found) {
        new TreeMap<>(table).forEach((name, value) -> {
            if (!found.contains(name)) out.append(entry(name, value));
        });
    }

    /** Exactly what postconf writes, so an empty value leaves a space after the '='. */
    private static String entry(String name, String value) {
        return name + " = " + value + "\n";
    }

    private static String nameOf(String line) {
        int end = 0;
        while (end < line.length() && NAME_DELIMITERS.indexOf(line.charAt(end)) < 0) end++;
        return line.substring(0, end);
    }

    private static int leadingSpace(String text) {
        int i = 0;
        while (i < text.length() && MainCf.isSpace(text.charAt(i))) i++;
        return i;
    }
}
