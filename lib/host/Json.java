/**
 * JSON string quoting as Postfix 3.11's {@code postmulti -j} does it: short escapes for the
 * common controls, {@code \\u00XX} for the other controls and DEL, a backslash before
 * {@code "} and {@code \\}; every other byte passes through, so UTF-8 stays readable.
 */
final class Json {
    private Json() {
    }

    /** Quotes a byte string (one char per byte, as read from main.cf). */
    static String quote(String bytes) {
        StringBuilder out = new StringBuilder(bytes.length() + 8);
        for (int i = 0; i < bytes.length(); i++) {
            appendQuoted(out, bytes.charAt(i));
        }
        return out.toString();
    }

    private static void appendQuoted(StringBuilder out, char c) {
        switch (c) {
            case '\b' -> out.append("\\b");
            case '\f' -> out.append("\\f");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case '"', '\\' -> out.append('\\').append(c);
            default -> {
                if (c < 0x20 || c == 0x7f) out.append(String.format("\\u%04X", (int) c));
                else out.append(c);
            }
        }
    }
}
