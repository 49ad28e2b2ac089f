import java.util.function.Function;

/**
 * Postfix's $name expansion (mac_parse + mac_expand with recursion, as postconf -x does it in 3.7):
 * {@code $name}, {@code ${name}}, {@code $(name)}, {@code $$} for a literal {@code $};
 * {@code ${name?text}} (text when the value is non-empty), {@code ${name:text}} (text when it is
 * empty or undefined), the {@code {text}} forms with white space around them ignored, the ternary
 * {@code ${name?{t}:{f}}}, and relational tests {@code ${{a} == {b}?{t}:{f}}} with
 * {@code == != < <= >= >} (numeric when both sides are all digits). Undefined names expand to
 * nothing. A looked-up value is expanded in turn; a literal {@code $} made by {@code $$} is not.
 *
 * <p>Limits: Postfix's own nesting limit (more than 101 nested expansions is an error), and ours,
 * which Postfix lacks, so hostile input ends quickly: a total nesting depth (Postfix's count
 * restarts inside a relational operand, so {@code a = ${{$a} == {}}} crashes it), a size for the
 * result and a budget for the work done (a billion-laughs chain of empty values makes no output but
 * exponential work).
 */
final class Expander {
    /** Postfix's limit on nested expansions in one context ("unreasonable macro call nesting"). */
    static final int POSTFIX_NESTING_LIMIT = 101;
    static final int MAX_TOTAL_NESTING = 300;
    static final int MAX_RESULT_CHARS = 1 << 20;
    static final long MAX_WORK = 4_000_000L;
    private static final String WHITESPACE = " \t\r\n";
    private static final String OPERATOR_CHARS = "<>!=?+-*/~&|%";
    private static final String TRUE = "true";

    /**
     * A malformed or runaway expansion. {@link #parameter()} names the parameter whose value holds
     * the offending text, or is null when it is in the value given to {@link #expand}.
     */
    static final class MacroError extends Fatal {
        private final String parameter;

        MacroError(String parameter, String message) {
            super(message);
            this.parameter = parameter;
        }

        String parameter() {
            return parameter;
        }
    }

    private final Function<String, String> lookup;
    private long work;
    private int totalNesting;

    private Expander(Function<String, String> lookup) {
        this.lookup = lookup;
    }

    /** Expands a value; lookup gives a name's raw value, or null when the name is undefined. */
    static String expand(String value, Function<String, String> lookup) {
        StringBuilder result = new StringBuilder();
        new Expander(lookup).expandInto(result, value, null);
        return result.toString();
    }

    /** Fatal unless {@code text} is a compatibility level (major[.minor[.patch]]), in Postfix's words. */
    static void checkCompatibilityLevel(String text) {
        CompatibilityLevel.parse(new Context(new StringBuilder(), null), text);
    }

    /** One mac_expand call: a fresh Postfix nesting count. */
    private void expandInto(StringBuilder result, String text, String source) {
        parse(new Context(result, source), text, 0);
    }

    /** Where the text being expanded comes from, and where its result goes. */
    private record Context(StringBuilder result, String source) {
        Context from(String parameter) {
            return new Context(result, parameter);
        }
    }

    /** mac_parse: splits text into literal runs and references, handing each to {@link #token}. */
    private void parse(Context context, String text, int nesting) {
        charge(context, text.length());
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
            } else if (i + 1 < text.length() && text.charAt(i + 1) == '$') {
                literal.append('$');
                i += 2;
            } else {
                if (literal.length() > 0) token(context, false, literal.toString(), nesting);
                literal.setLength(0);
                int end = referenceEnd(context, text, i + 1);
                String reference = referenceText(text, i + 1, end);
                if (reference.isEmpty()) throw error(context, "empty macro name: \"" + quote(text) + "\"");
                token(context, true, reference, nesting);
                i = end;
            }
        }
        if (literal.length() > 0) token(context, false, literal.toString(), nesting);
    }

    /** The index just past a reference starting after '$' at from. */
    private int referenceEnd(Context context, String text, int from) {
        if (from < text.length() && (text.charAt(from) == '{' || text.charAt(from) == '(')) {
            char open = text.charAt(from);
            char close = open == '{' ? '}' : ')';
            int level = 1;
            for (int i = from + 1; i < text.length(); i++) {
                if (text.charAt(i) == open) level++;
                else if (text.charAt(i) == close && --level == 0) return i + 1;
            }
            throw error(context, "truncated macro reference: \"" + quote(text) + "\"");
        }
        int i = from;
        while (i < text.length() && isNameChar(text.charAt(i))) i++;
        return i;
    }

    private static String referenceText(String text, int from, int end) {
        boolean bracketed = from < text.length() && (text.charAt(from) == '{' || text.charAt(from) == '(');
        return bracketed ? text.substring(from + 1, end - 1) : text.substring(from, end);
    }

    /** mac_expand's callback: one literal run or one reference, at a nesting depth. */
    private void token(Context context, boolean reference, String text, int enclosing) {
        int nesting = enclosing + 1;
        charge(context, 1);
        if (nesting > POSTFIX_NESTING_LIMIT || totalNesting >= MAX_TOTAL_NESTING)
            throw error(context, "unreasonable macro call nesting: \"" + quote(text) + "\"");
        totalNesting++;
        try {
            if (reference) reference(context, text, nesting);
            else append(context, text);
        } finally {
            totalNesting--;
        }
    }

    private void reference(Context context, String text, int nesting) {
        Cursor cursor = new Cursor(text);
        cursor.skipWhitespace();
        Condition condition = cursor.peek() == '{' ? relational(context, cursor) : named(context, cursor);
        switch (condition.operator()) {
            case '?' -> ifTrue(context, cursor, condition.value(), nesting);
            case ':' -> ifFalse(context, cursor, condition.value(), nesting);
            default -> whole(context, condition, nesting);
        }
    }

    /** What a reference tests or yields: a value (null when undefined) and the operator after it, or 0. */
    private record Condition(String value, String parameter, char operator) {
    }

    private Condition named(Context context, Cursor cursor) {
        int start = cursor.position;
        while (true) {
            int afterSpace = cursor.whitespaceEnd();
            if (afterSpace == cursor.text.length() || cursor.text.charAt(afterSpace) == '?'
                    || cursor.text.charAt(afterSpace) == ':') {
                String name = cursor.text.substring(start, cursor.position);
                char operator = afterSpace == cursor.text.length() ? 0 : cursor.text.charAt(afterSpace);
                cursor.position = operator == 0 ? afterSpace : afterSpace + 1;
                return new Condition(lookup.apply(name), name, operator);
            }
            if (!isNameChar(cursor.peek()))
                throw error(context, "attribute name syntax error at: \"..." + quote(cursor.before())
                        + ">>>" + cursor.ahead() + "\"");
            cursor.position++;
        }
    }

    private Condition relational(Context context, Cursor cursor) {
        String left = curlyPayload(context, cursor);
        int operatorStart = cursor.position;
        while (cursor.position < cursor.text.length() && OPERATOR_CHARS.indexOf(cursor.peek()) >= 0)
            cursor.position++;
        String operator = cursor.text.substring(operatorStart, cursor.position);
        if (!Relation.known(operator))
            throw error(context, Relation.EXPECTED + " expected at: \"..." + quote(left)
                    + "}>>>" + quote(cursor.text.substring(operatorStart, Math.min(cursor.text.length(), operatorStart + 20)))
                    + "\"");
        String suffix = operatorSuffix(context, cursor, operator);
        if (cursor.peekAfterWhitespace() != '{')
            throw error(context, "\"{expression}\" expected at: \"...{" + quote(left) + "} " + operator + ">>>"
                    + cursor.ahead() + "\"");
        cursor.skipWhitespace();
        String right = curlyPayload(context, cursor);
        String leftValue = operand(context, left);
        String rightValue = operand(context, right);
        boolean holds = suffix.isEmpty() ? holds(context, operator, leftValue, rightValue)
                : Relation.holds(operator, CompatibilityLevel.compare(context, leftValue, rightValue));
        char next = cursor.atEnd() ? 0 : cursor.peek();
        if (next != 0 && next != '?' && next != ':')
            throw error(context, "\"?\" or \":\" expected at: \"...}>>>" + cursor.ahead() + "\"");
        if (next != 0) cursor.position++;
        return new Condition(holds ? TRUE : "", null, next);
    }

    /**
     * The letters and digits right after an operator name a comparison of another kind; Postfix
     * (3.6 and later) has one, {@code level}, which compares compatibility levels: its own
     * defaults use it ({@code mynetworks_style = ${{$compatibility_level} <level {2} ? ...}}).
     */
    private static String operatorSuffix(Context context, Cursor cursor, String operator) {
        int start = cursor.position;
        while (cursor.position < cursor.text.length() && isAsciiAlphanumeric(cursor.peek())) cursor.position++;
        String suffix = cursor.text.substring(start, cursor.position);
        if (!suffix.isEmpty() && !suffix.equals(CompatibilityLevel.SUFFIX))
            throw error(context, "bad operator suffix at: \"..." + operator + ">>>" + quote(suffix) + "\"");
        return suffix;
    }

    private static boolean holds(Context context, String operator, String left, String right) {
        try {
            return Relation.holds(operator, left, right);
        } catch (NumberFormatException tooLarge) {
            throw error(context, "bad number in comparison: \"" + quote(left) + "\" " + operator
                    + " \"" + quote(right) + "\"");
        }
    }

    /** A relational operand is expanded on its own, like Postfix's nested mac_expand call. */
    private String operand(Context context, String text) {
        StringBuilder value = new StringBuilder();
        expandInto(value, text, context.source());
        return value.toString();
    }

    private void ifTrue(Context context, Cursor cursor, String value, int nesting) {
        String text = branch(context, cursor);
        if (value != null && !value.isEmpty()) parse(context, text, nesting);
        if (cursor.atEnd()) return;
        if (cursor.peek() != ':')
            throw error(context, "\":\" expected at: \"..." + quote(text) + "}>>>" + cursor.ahead() + "\"");
        cursor.position++;
        ifFalse(context, cursor, value, nesting);
    }

    private void ifFalse(Context context, Cursor cursor, String value, int nesting) {
        String text = branch(context, cursor);
        if (value == null || value.isEmpty()) parse(context, text, nesting);
        if (!cursor.atEnd())
            throw error(context, "unexpected input at: \"..." + quote(text) + "}>>>" + cursor.ahead() + "\"");
    }

    /** A {text} operand (white space around it ignored), or else all the rest taken literally. */
    private String branch(Context context, Cursor cursor) {
        if (cursor.peekAfterWhitespace() == '{') {
            cursor.skipWhitespace();
            return curlyPayload(context, cursor);
        }
        String rest = cursor.text.substring(cursor.position);
        cursor.position = cursor.text.length();
        return rest;
    }

    /** No operator: the value itself, expanded in turn (a relational test yields "true" or nothing). */
    private void whole(Context context, Condition condition, int nesting) {
        String value = condition.value();
        if (value == null || value.isEmpty()) return;
        parse(condition.parameter() == null ? context : context.from(condition.parameter()), value, nesting);
    }

    /** The text between balanced braces at the cursor; the cursor moves past it and any white space. */
    private String curlyPayload(Context context, Cursor cursor) {
        int open = cursor.position;
        int level = 0;
        for (int i = open; i < cursor.text.length(); i++) {
            char c = cursor.text.charAt(i);
            if (c == '{') level++;
            else if (c == '}' && --level == 0) {
                cursor.position = i + 1;
                cursor.skipWhitespace();
                return cursor.text.substring(open + 1, i);
            }
        }
        throw error(context, "unbalanced {} in attribute expression: \"" + quote(cursor.text.substring(open)) + "\"");
    }

    private void append(Context context, String text) {
        charge(context, text.length());
        if (context.result().length() + (long) text.length() > MAX_RESULT_CHARS)
            throw error(context, "expansion is longer than " + MAX_RESULT_CHARS + " characters");
        context.result().append(text);
    }

    private void charge(Context context, long units) {
        work += units;
        if (work > MAX_WORK) throw error(context, "expansion takes too much work (runaway $name references?)");
    }

    private static boolean isAsciiAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static boolean isNameChar(char c) {
        return c < 0x80 && (Character.isLetterOrDigit(c) || c == '_');
    }

    private static MacroError error(Context context, String message) {
        return new MacroError(context.source(), message);
    }

    /** Quoted text in a message: long text cut short, control characters shown as '?'. */
    private static String quote(String text) {
        return text.length() > 200 ? MainCf.printable(text.substring(0, 200)) + "..." : MainCf.printable(text);
    }

    /** A read position in a reference's text. */
    private static final class Cursor {
        final String text;
        int position;

        Cursor(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return position >= text.length();
        }

        char peek() {
            return atEnd() ? 0 : text.charAt(position);
        }

        int whitespaceEnd() {
            int i = position;
            while (i < text.length() && WHITESPACE.indexOf(text.charAt(i)) >= 0) i++;
            return i;
        }

        void skipWhitespace() {
            position = whitespaceEnd();
        }

        char peekAfterWhitespace() {
            int i = whitespaceEnd();
            return i < text.length() ? text.charAt(i) : 0;
        }

        String before() {
            return text.substring(0, position);
        }

        /** Up to 20 characters from the position, as Postfix's messages show them. */
        String ahead() {
            return MainCf.printable(text.substring(position, Math.min(text.length(), position + 20)));
        }
    }

    /** The relational operators and how they compare. */
    private static final class Relation {
        private Relation() {
        }

        static boolean known(String operator) {
            return switch (operator) {
                case "==", "!=", "<", "<=", ">=", ">" -> true;
                default -> false;
            };
        }

        /** Postfix's own wording, stray quotes included (MAC_EXP_OP_STR_ANY in mac_expand.c). */
        static final String EXPECTED = "\"==\" or \"!=\"\" or \"<\"\" or \"<=\"\" or \">=\"\" or \">\"";

        static boolean holds(String operator, String left, String right) {
            return holds(operator, compare(left, right));
        }

        static boolean holds(String operator, long order) {
            return switch (operator) {
                case "==" -> order == 0;
                case "!=" -> order != 0;
                case "<" -> order < 0;
                case "<=" -> order <= 0;
                case ">=" -> order >= 0;
                default -> order > 0;
            };
        }

        /**
         * Numbers when both sides are all ASCII digits (NumberFormatException past a C long, where
         * Postfix gives up too), else bytes as strcmp compares them.
         */
        private static int compare(String left, String right) {
            if (allDigits(left) && allDigits(right)) return Long.compare(Long.parseLong(left), Long.parseLong(right));
            return left.compareTo(right);
        }

        private static boolean allDigits(String text) {
            return !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
        }
    }

    /**
     * Compatibility levels as the {@code level} operators compare them (compat_level.c):
     * {@code major[.minor[.patch]]}, each number read as C's strtol reads it (leading white space
     * and a sign allowed), minor and patch at most 1023; anything else is an error.
     */
    static final class CompatibilityLevel {
        static final String SUFFIX = "level";
        private static final int MINOR_BITS = 10;
        private static final int PATCH_BITS = 10;
        private static final long MAX_MAJOR = Long.MAX_VALUE >> (MINOR_BITS + PATCH_BITS);
        private static final long MAX_MINOR_OR_PATCH = (1 << MINOR_BITS) - 1;

        private CompatibilityLevel() {
        }

        static long compare(Context context, String left, String right) {
            long leftLevel = parse(context, left);
            return Long.compare(leftLevel, parse(context, right));
        }

        private static long parse(Context context, String text) {
            long level = -1;
            long[] parsed = strtol(text, 0);
            if (parsed != null && parsed[0] >= 0 && parsed[0] <= MAX_MAJOR) {
                int end = (int) parsed[1];
                long major = parsed[0] << (MINOR_BITS + PATCH_BITS);
                if (end == text.length()) return major;
                if (text.charAt(end) == '.') {
                    long[] minor = strtol(text, end + 1);
                    if (minor != null && minor[0] >= 0 && minor[0] <= MAX_MINOR_OR_PATCH) {
                        end = (int) minor[1];
                        long majorMinor = major | minor[0] << PATCH_BITS;
                        if (end == text.length()) return majorMinor;
                        if (text.charAt(end) == '.') {
                            long[] patch = strtol(text, end + 1);
                            if (patch != null && patch[1] == text.length() && patch[0] >= 0
                                    && patch[0] <= MAX_MINOR_OR_PATCH)
                                level = majorMinor | patch[0];
                        }
                    }
                }
            }
            if (level < 0)
                throw error(context, "malformed compatibility level syntax: \"" + quote(text) + "\"");
            return level;
        }

        /** C's strtol in base 10 from an index: {value, end index}, or null when no digits or out of range. */
        private static long[] strtol(String text, int from) {
            int i = from;
            while (i < text.length() && MainCf.isSpace(text.charAt(i))) i++;
            boolean negative = false;
            if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) negative = text.charAt(i++) == '-';
            int digits = i;
            long value = 0;
            boolean overflow = false;
            while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                int digit = text.charAt(i++) - '0';
                if (value > (Long.MAX_VALUE - digit) / 10) overflow = true;
                else value = value * 10 + digit;
            }
            if (i == digits || overflow) return null;
            return new long[] {negative ? -value : value, i};
        }
    }
}
