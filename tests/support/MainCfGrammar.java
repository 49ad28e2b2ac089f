import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Random main.cf files, and postconf edits of them, from a grammar of what admins write and what
 * trips parsers up: continuation lines, comments and blank lines between continuations,
 * duplicates, CRLF, tabs, a missing final newline, empty values, {@code $name}, {@code ${name}},
 * {@code $(name)}, {@code ${name?...}}, {@code ${name:...}}, {@code {text}} operands, relational
 * and {@code level} tests, nesting, {@code $$}, long lines, bytes above 127, control characters.
 *
 * <p>Each generated file keeps the truth about its physical lines (what kind of line each is and
 * which parameter's entry it belongs to), so tests can predict an edit without asking the code
 * under test. Text is a byte string (one char per byte, ISO-8859-1), as everywhere in the tool.
 *
 * <p>Parameter names are drawn from a small pool so that files have duplicates and references
 * between entries. References normally go one way only, along {@link #ORDER} (a name refers only
 * to names after it), so that most files expand without a loop; {@link Options#loops()} lifts
 * that.
 */
final class MainCfGrammar {
    /** Entry names, in the order along which references go: relayhost may refer to mydomain, not back. */
    static final List<String> ORDER = List.of("relayhost", "smtpd_banner", "alias_maps", "alias_database",
            "mydestination", "home_mailbox", "mynetworks", "myorigin", "u1", "u2", "myhostname", "mydomain",
            "recipient_delimiter", "u3", "multi_instance_group", "multi_instance_name", "compatibility_level");
    /** Names that are referred to but never set: Postfix's defaults, and undefined names. */
    static final List<String> REFERRED_ONLY = List.of("mail_name", "config_directory", "mail_version",
            "mynetworks_style", "append_dot_mydomain", "nosuch", "undef_x");
    /** A user-defined name that nothing refers to: postconf does not know it. */
    static final String LONELY = "lonely_param";
    /** Names that no file defines, for edits that append. */
    static final List<String> NEW_NAMES = List.of("zz_new", "aa_new", "mm_new", "u9");
    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_";
    private static final String WORD_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_/@+";
    private static final String[] NON_ASCII = {"\u00e9", "\u00fc", "\u00c3\u00a9", "\u00ff", "\u0080", "\u00a0", "\u00e2\u0082\u00ac"};
    private static final String[] CONTROL = {"\u000b", "\f", "\u0001", "\u007f", "\r", "\u001b"};
    private static final String[] MALFORMED = {"$", "${", "$(x", "${a b}", "${nosuch?{a}y}", "${{a} =~ {b}}",
            "${{1} <lvl {2}}", "${}", "${mydomain?{a}:{b} z}", "${{x} <level {3}}", "${{a} == b}", "$(", "${{a}"};
    private static final String[] OPERATORS = {"==", "!=", "<", "<=", ">=", ">"};
    private static final String[] LEVELS = {"0", "1", "2", "3", "3.6", "3.7", "3.10", "3.6.1", " 2", "+3.6"};

    /** What a physical line is, as the readers and editors of main.cf see it. */
    enum Kind {
        /** {@code name = value}: starts a logical line. */
        ENTRY,
        /** Starts with white space and has text: continues the logical line. */
        CONTINUATION,
        /** {@code #} is its first non-blank character. */
        COMMENT,
        /** Nothing but white space. */
        BLANK,
        /** Text that starts with white space before the first entry: ignored with a warning. */
        LEADING
    }

    /** One physical line: its text without the newline, and the parameter whose entry it is part of (else null). */
    record Line(Kind kind, String owner, String text) {
    }

    /** Which awkward things to generate. */
    record Options(boolean nul, boolean oddSeparators, boolean controlCharacters, boolean malformed, boolean loops) {
        /** For postconf: everything but NUL bytes, which postconf 3.7 handles differently on purpose (see MainCfEditor). */
        static final Options DIFFERENTIAL = new Options(false, true, true, true, true);
        /** For properties of our own code: NUL bytes too, but no \v or \f right after a name (see MainCfEditorTest). */
        static final Options PROPERTIES = new Options(true, false, true, true, true);
    }

    /** A main.cf file: its lines, and whether the last one ends with a newline. */
    record Doc(List<Line> lines, boolean finalNewline) {
        Doc {
            lines = List.copyOf(lines);
            // An empty last line exists only with its newline.
            if (lines.isEmpty() || lines.get(lines.size() - 1).text().isEmpty()) finalNewline = true;
        }

        String text() {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                text.append(lines.get(i).text());
                if (i < lines.size() - 1 || finalNewline) text.append('\n');
            }
            return text.toString();
        }

        byte[] bytes() {
            return text().getBytes(StandardCharsets.ISO_8859_1);
        }

        /** The names of the entries, each once, in order. */
        List<String> entryNames() {
            Set<String> names = new LinkedHashSet<>();
            for (Line line : lines) if (line.kind() == Kind.ENTRY) names.add(line.owner());
            return List.copyOf(names);
        }

        /** Simpler files, simplest first: fewer entries, fewer lines, no CR, a final newline. */
        List<Doc> smaller() {
            List<Doc> smaller = new ArrayList<>();
            if (!lines.isEmpty()) smaller.add(new Doc(List.of(), true));
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).kind() == Kind.ENTRY) smaller.add(withoutEntryAt(i));
            }
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).kind() != Kind.ENTRY) smaller.add(withoutLine(i));
            }
            if (!finalNewline && !lines.isEmpty()) smaller.add(new Doc(lines, true));
            List<Line> noCr = new ArrayList<>();
            for (Line line : lines) noCr.add(new Line(line.kind(), line.owner(), line.text().replace("\r", "")));
            if (!noCr.equals(lines) && consistent(noCr)) smaller.add(new Doc(noCr, finalNewline));
            for (int i = 0; i < lines.size(); i++) {
                Line line = lines.get(i);
                if (line.kind() == Kind.ENTRY && !line.text().equals(line.owner() + " = x")) {
                    List<Line> simpler = new ArrayList<>(lines);
                    simpler.set(i, new Line(Kind.ENTRY, line.owner(), line.owner() + " = x"));
                    smaller.add(new Doc(simpler, finalNewline));
                }
            }
            return smaller;
        }

        private Doc withoutEntryAt(int index) {
            List<Line> kept = new ArrayList<>(lines.subList(0, index));
            int i = index + 1;
            while (i < lines.size() && lines.get(i).kind() != Kind.ENTRY) {
                if (lines.get(i).kind() != Kind.CONTINUATION) kept.add(lines.get(i));
                i++;
            }
            kept.addAll(lines.subList(i, lines.size()));
            return new Doc(relabel(kept), finalNewline);
        }

        private Doc withoutLine(int index) {
            List<Line> kept = new ArrayList<>(lines);
            kept.remove(index);
            return new Doc(relabel(kept), finalNewline);
        }

        /** A CONTINUATION or LEADING line's kind and owner depend on what comes before it; recompute them. */
        private static List<Line> relabel(List<Line> lines) {
            List<Line> relabeled = new ArrayList<>();
            String owner = null;
            boolean seenEntry = false;
            for (Line line : lines) {
                switch (line.kind()) {
                    case ENTRY -> {
                        owner = line.owner();
                        seenEntry = true;
                        relabeled.add(line);
                    }
                    case CONTINUATION, LEADING -> relabeled.add(seenEntry
                            ? new Line(Kind.CONTINUATION, owner, line.text())
                            : new Line(Kind.LEADING, null, line.text()));
                    default -> relabeled.add(line);
                }
            }
            return relabeled;
        }

        /** Whether removing CR kept every line's kind (a line of "\r" alone stays blank, say). */
        private static boolean consistent(List<Line> lines) {
            for (Line line : lines) if (kindOf(line.text()) != line.kind() && !(line.kind() == Kind.LEADING
                    && kindOf(line.text()) == Kind.CONTINUATION)) return false;
            return true;
        }

        @Override
        public String toString() {
            return escape(text());
        }
    }

    /** One postconf edit: option {@code e}, {@code #} or {@code X}, and its arguments as on the command line. */
    record Edit(char option, List<String> arguments) {
        Edit {
            arguments = List.copyOf(arguments);
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("postconf -").append(option);
            for (String argument : arguments) text.append(' ').append(escape(argument));
            return text.toString();
        }
    }

    /** A file and the edits to make to it, one after the other. */
    record Case(Doc doc, List<Edit> edits) {
        Case {
            edits = List.copyOf(edits);
        }

        List<Case> smaller() {
            List<Case> smaller = new ArrayList<>();
            for (int i = 0; i < edits.size() && edits.size() > 1; i++) {
                List<Edit> fewer = new ArrayList<>(edits);
                fewer.remove(i);
                smaller.add(new Case(doc, fewer));
            }
            for (int i = 0; i < edits.size(); i++) {
                Edit edit = edits.get(i);
                for (int j = 0; j < edit.arguments().size() && edit.arguments().size() > 1; j++) {
                    List<String> arguments = new ArrayList<>(edit.arguments());
                    arguments.remove(j);
                    List<Edit> simpler = new ArrayList<>(edits);
                    simpler.set(i, new Edit(edit.option(), arguments));
                    smaller.add(new Case(doc, simpler));
                }
            }
            for (Doc simpler : doc.smaller()) smaller.add(new Case(simpler, edits));
            return smaller;
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("main.cf: ").append(doc);
            for (Edit edit : edits) text.append("\n  then ").append(edit);
            return text.toString();
        }
    }

    private final Random random;
    private final Options options;
    private final boolean loops;

    private MainCfGrammar(Random random, Options options) {
        this.random = random;
        this.options = options;
        // Even where loops are allowed, most files have none, so that their expansions get compared.
        this.loops = options.loops() && random.nextInt(8) == 0;
    }

    static Doc doc(Random random, Options options) {
        return new MainCfGrammar(random, options).doc();
    }

    static Case editCase(Random random, Options options) {
        MainCfGrammar grammar = new MainCfGrammar(random, options);
        Doc doc = grammar.doc();
        List<Edit> edits = new ArrayList<>();
        for (int n = 1 + random.nextInt(3); n > 0; n--) edits.add(grammar.edit(doc));
        return new Case(doc, edits);
    }

    /** A value as postconf -e would be given it: no newline; NUL only if the options allow. */
    static String value(Random random, Options options, String owner) {
        return new MainCfGrammar(random, options).value(referable(owner, options.loops()), 0, false);
    }

    // ----------------------------------------------------------------- files

    private Doc doc() {
        List<Line> lines = new ArrayList<>();
        boolean crlf = random.nextInt(7) == 0;
        boolean someCr = !crlf && random.nextInt(15) == 0;
        if (random.nextInt(12) == 0) {
            lines.add(new Line(Kind.LEADING, null, pick(" ", "\t", "  ") + "lead = " + word()));
            if (random.nextBoolean()) lines.add(new Line(Kind.LEADING, null, pick(" ", "\t") + word()));
        }
        int elements = random.nextInt(10) == 0 ? random.nextInt(40) : random.nextInt(12);
        for (int i = 0; i < elements; i++) {
            int choice = random.nextInt(20);
            if (choice < 12) entry(lines);
            else if (choice < 16) lines.add(comment());
            else lines.add(blank());
        }
        List<Line> withCr = new ArrayList<>();
        for (Line line : lines) {
            boolean cr = crlf || (someCr && random.nextInt(3) == 0);
            withCr.add(cr ? new Line(line.kind(), line.owner(), line.text() + "\r") : line);
        }
        return new Doc(withCr, random.nextInt(7) != 0);
    }

    private void entry(List<Line> lines) {
        String name = entryName();
        String separator = random.nextInt(30) == 0 && options.oddSeparators()
                ? pick("\u000b", "\f", "\r ", "\u000b ") : pick(" ", " ", " ", "", "\t", "  ", " \t");
        String value = name.equals("compatibility_level") && random.nextInt(4) != 0
                ? pick(LEVELS).strip() : value(referable(name, loops), 0, false);
        String text = name + separator + "=" + pick(" ", " ", "", "\t", "  ") + value + pick("", "", "", " ", "\t", " \t");
        // With \v or \f after the name, postconf's editor takes them as part of the name (see MainCfEditor).
        String owner = separator.startsWith("\u000b") || separator.startsWith("\f") ? name + separator.charAt(0) : name;
        lines.add(new Line(Kind.ENTRY, owner, text));
        for (int n = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0; n > 0; n--) {
            if (random.nextInt(4) == 0) lines.add(random.nextBoolean() ? comment() : blank());
            lines.add(new Line(Kind.CONTINUATION, owner, continuation(name)));
        }
    }

    private String continuation(String owner) {
        String indent = options.controlCharacters() && random.nextInt(20) == 0
                ? pick("\u000b", "\f") : pick(" ", "\t", "  ", "    ", "\t ");
        String text = value(referable(owner, loops), 0, false);
        int start = 0;
        while (start < text.length() && MainCf.isSpace(text.charAt(start))) start++;
        text = text.substring(start);
        if (text.isEmpty() || text.charAt(0) == '#') text = word() + text;
        return indent + text;
    }

    private Line comment() {
        String text = random.nextInt(3) == 0 ? entryName() + " = " + value(ORDER, 0, false) : value(ORDER, 0, false);
        return new Line(Kind.COMMENT, null, pick("", "", "", " ", "\t", "  ") + "#" + text.replace("\n", ""));
    }

    private Line blank() {
        return new Line(Kind.BLANK, null, pick("", "", "", " ", "\t", "   ", " \t "));
    }

    private String entryName() {
        int choice = random.nextInt(20);
        if (choice == 0) return LONELY;
        return ORDER.get(random.nextInt(ORDER.size()));
    }

    // ----------------------------------------------------------------- edits

    private Edit edit(Doc doc) {
        char option = random.nextInt(5) < 3 ? 'e' : random.nextBoolean() ? '#' : 'X';
        List<String> arguments = new ArrayList<>();
        for (int n = 1 + random.nextInt(option == 'e' ? 4 : 3); n > 0; n--) {
            String name = editName(doc);
            if (option != 'e') {
                // postconf 3.7 -# and -X crash (SIGSEGV) when given a name twice; we do not, and compare the rest.
                if (!arguments.contains(name)) arguments.add(name);
                continue;
            }
            String value = name.equals("compatibility_level") ? pick(LEVELS) : value(referable(name, loops), 0, false);
            arguments.add(pick("", "", "", "", " ") + name + pick("=", "=", " = ", "= ", " =", "\t=\t") + value);
        }
        return new Edit(option, arguments);
    }

    private String editName(Doc doc) {
        List<String> present = doc.entryNames();
        int choice = random.nextInt(10);
        if (choice < 6 && !present.isEmpty()) {
            String name = present.get(random.nextInt(present.size()));
            // An entry whose name ends in \v or \f (see entry()) cannot be named on a command line.
            return MainCf.isSpace(name.charAt(name.length() - 1)) ? name.substring(0, name.length() - 1) : name;
        }
        if (choice < 8) return ORDER.get(random.nextInt(ORDER.size()));
        return NEW_NAMES.get(random.nextInt(NEW_NAMES.size()));
    }

    // ----------------------------------------------------------------- values

    /** Names a value of {@code owner} may refer to: those after it along {@link #ORDER}, or any with loops. */
    static List<String> referable(String owner, boolean loops) {
        List<String> names = new ArrayList<>(REFERRED_ONLY);
        int position = ORDER.indexOf(owner);
        names.addAll(loops || position < 0 ? ORDER : ORDER.subList(position + 1, ORDER.size()));
        return names;
    }

    /** A value: a few pieces of text and references. Inside braces, bare braces and parentheses are left out. */
    private String value(List<String> names, int depth, boolean inBraces) {
        StringBuilder value = new StringBuilder();
        int pieces = random.nextInt(12) == 0 ? random.nextInt(12) : random.nextInt(4);
        if (depth > 0) pieces = Math.min(pieces, 2);
        for (int i = 0; i < pieces; i++) value.append(piece(names, depth, inBraces));
        return value.toString();
    }

    private String piece(List<String> names, int depth, boolean inBraces) {
        int choice = random.nextInt(100);
        String name = names.get(random.nextInt(names.size()));
        if (depth >= 3 && choice >= 50) choice = random.nextInt(50);
        if (choice < 22) return word();
        if (choice < 30) return pick(" ", "\t", "  ", ", ", " \t");
        if (choice < 34) return inBraces ? pick("[", "]", ":", ",", "/", "=", "@", "!", "?")
                : pick("[", "]", ":", ",", "/", "=", "@", "!", "{", "}", "(", ")", "?", "#");
        if (choice < 38) return pick(NON_ASCII);
        if (choice < 40) {
            if (options.nul() && random.nextInt(4) == 0) return "\0";
            return options.controlCharacters() ? pick(CONTROL) : word();
        }
        if (choice < 43) return "$$";
        if (choice < 50) return "$" + name;
        if (choice < 55) return "${" + name + "}";
        if (choice < 58) return "$(" + name + ")";
        if (choice < 59) return "${ " + name + " }";
        if (choice < 64) return "${" + name + pick("?", ":") + value(names, depth + 1, true) + "}";
        if (choice < 72) return conditional(names, name, depth);
        if (choice < 80) return relational(names, depth);
        if (choice < 82) return longWord();
        if (choice < 84 && options.malformed()) return pick(MALFORMED);
        if (choice < 86) return "$(" + name + pick("?", ":") + value(names, depth + 1, true) + ")";
        return word();
    }

    private String conditional(List<String> names, String name, int depth) {
        String open = pick("${", "${", "$(");
        String close = open.equals("$(") ? ")" : "}";
        String test = pick("", "", " ") + name + pick("", "", " ");
        return switch (random.nextInt(3)) {
            case 0 -> open + test + "?" + curly(names, depth) + ":" + curly(names, depth) + close;
            case 1 -> open + test + "?" + curly(names, depth) + close;
            default -> open + test + ":" + curly(names, depth) + close;
        };
    }

    private String curly(List<String> names, int depth) {
        return pick("", "", " ") + "{" + value(names, depth + 1, true) + "}" + pick("", "", " ");
    }

    private String relational(List<String> names, int depth) {
        boolean level = random.nextInt(4) == 0;
        String operator = pick(OPERATORS) + (level ? "level" : "");
        String left = level ? pick("$compatibility_level", pick(LEVELS)) : operand(names, depth);
        String right = level ? pick(LEVELS) : operand(names, depth);
        String test = "{" + left + "}" + pick(" ", "", "  ") + operator + pick(" ", "", "\t") + "{" + right + "}";
        return switch (random.nextInt(4)) {
            case 0 -> "${" + test + "?" + curly(names, depth) + ":" + curly(names, depth) + "}";
            case 1 -> "${" + test + "?" + curly(names, depth) + "}";
            case 2 -> "${" + test + ":" + curly(names, depth) + "}";
            default -> "${" + test + "}";
        };
    }

    private String operand(List<String> names, int depth) {
        return switch (random.nextInt(4)) {
            case 0 -> String.valueOf(random.nextInt(random.nextBoolean() ? 10 : 1000));
            case 1 -> "$" + names.get(random.nextInt(names.size()));
            case 2 -> "0" + random.nextInt(10);
            default -> value(names, depth + 1, true);
        };
    }

    private String word() {
        StringBuilder word = new StringBuilder();
        for (int n = 1 + random.nextInt(8); n > 0; n--) word.append(WORD_CHARS.charAt(random.nextInt(WORD_CHARS.length())));
        return word.toString();
    }

    private String longWord() {
        String unit = word() + pick("", " ", ",");
        return unit.repeat(1 + (100 + random.nextInt(random.nextInt(10) == 0 ? 5000 : 400)) / unit.length());
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    // ----------------------------------------------------------------- helpers

    /** The kind of a line's text, by main.cf's rules (an entry's text also needs an '=' to read). */
    static Kind kindOf(String text) {
        int i = 0;
        while (i < text.length() && MainCf.isSpace(text.charAt(i))) i++;
        if (i == text.length()) return Kind.BLANK;
        if (text.charAt(i) == '#') return Kind.COMMENT;
        return i > 0 ? Kind.CONTINUATION : Kind.ENTRY;
    }

    /** A byte string as a Java string literal (control characters and bytes above 126 escaped). */
    static String escape(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append(i < text.length() - 1 ? "\\n\"\n  + \"" : "\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c > 0x7e) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }

    static boolean isNameChar(char c) {
        return NAME_CHARS.indexOf(c) >= 0;
    }
}
