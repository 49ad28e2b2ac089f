import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff of two byte strings (one char per byte), as {@code diff -u} would print it, with
 * git-style names ({@code a/etc/postfix/main.cf}, {@code /dev/null} for a side that does not exist).
 * Used by the dry run; GNU patch applies the output.
 *
 * <p>The edit script comes from Myers' O(ND) algorithm after the common head and tail are set
 * aside, so the usual small edit of a large main.cf costs next to nothing. When the files differ
 * in more than {@link #MAX_EDIT_DISTANCE} lines the rest is shown as one replacement: still a
 * correct diff, only not a minimal one, and memory stays bounded.
 */
final class UnifiedDiff {
    static final int CONTEXT = 3;
    static final int MAX_EDIT_DISTANCE = 2000;
    static final String NO_NEWLINE = "\\ No newline at end of file";

    private UnifiedDiff() {
    }

    /** One line of a file, without its newline; {@code last} lines may lack one. */
    private record Line(String text, boolean newline) {
        String show(char mark) {
            return mark + text + "\n" + (newline ? "" : NO_NEWLINE + "\n");
        }
    }

    private enum Op { KEEP, DELETE, INSERT }

    private record Edit(Op op, int oldIndex, int newIndex) {
    }

    /**
     * The diff text, or "" when both sides are equal. {@code before}/{@code after} null means the
     * file does not exist on that side (creation or removal).
     */
    static String diff(String path, String before, String after) {
        return diff(path, path, before, after, CONTEXT);
    }

    /**
     * A diff between two files with {@code context} lines around each change: a new file against
     * the prototype it was made from, say, where 0 keeps a dozen one-line edits in the middle of
     * 700 lines of comments to a few lines each.
     */
    static String diff(String oldPath, String newPath, String before, String after, int context) {
        String oldName = before == null ? "/dev/null" : "a" + oldPath;
        String newName = after == null ? "/dev/null" : "b" + newPath;
        if (before != null && after != null && before.equals(after)) return "";
        Window window = before == null || after == null ? Window.WHOLE : Window.around(before, after, context);
        List<Line> a = lines(before == null ? "" : before.substring(window.from(), window.oldTo(before)));
        List<Line> b = lines(after == null ? "" : after.substring(window.from(), window.newTo(after)));
        List<Edit> script = editScript(a, b);
        StringBuilder out = new StringBuilder();
        out.append("--- ").append(oldName).append('\n');
        out.append("+++ ").append(newName).append('\n');
        if (a.isEmpty() && b.isEmpty()) return out.toString();
        for (int[] hunk : hunks(script, context)) appendHunk(out, script, hunk[0], hunk[1], a, b, window.skippedLines());
        return out.toString();
    }

    /**
     * The part of two texts that can differ, with {@code context} equal lines on each side: a
     * common head and tail of whole lines are left out before the texts become lines, so a small
     * edit of a 3 MB main.cf does not turn both copies into 40,000 line objects. {@code from} is
     * where both parts start (the head is common), after {@code skippedLines} lines; each part
     * ends {@code tail} characters before its text's end.
     */
    private record Window(int from, int skippedLines, int tail) {
        static final Window WHOLE = new Window(0, 0, 0);

        static Window around(String before, String after, int context) {
            int shorter = Math.min(before.length(), after.length());
            int prefix = 0;
            while (prefix < shorter && before.charAt(prefix) == after.charAt(prefix)) prefix++;
            int from = prefix == 0 ? 0 : before.lastIndexOf('\n', prefix - 1) + 1;
            int headEnd = from;
            for (int i = 0; i < context && from > 0; i++) from = before.lastIndexOf('\n', from - 2) + 1;
            int suffix = 0;
            while (suffix < shorter - headEnd
                    && before.charAt(before.length() - 1 - suffix) == after.charAt(after.length() - 1 - suffix)) suffix++;
            int newline = before.indexOf('\n', before.length() - suffix);
            int tailStart = newline < 0 ? before.length() : newline + 1;
            for (int i = 0; i < context && tailStart < before.length(); i++) {
                newline = before.indexOf('\n', tailStart);
                tailStart = newline < 0 ? before.length() : newline + 1;
            }
            return new Window(from, count(before, from), before.length() - tailStart);
        }

        int oldTo(String before) {
            return before.length() - tail;
        }

        int newTo(String after) {
            return after.length() - tail;
        }

        private static int count(String text, int end) {
            int lines = 0;
            for (int i = 0; i < end; i++) if (text.charAt(i) == '\n') lines++;
            return lines;
        }
    }

    private static List<Line> lines(String text) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int newline = text.indexOf('\n', start);
            if (newline < 0) {
                lines.add(new Line(text.substring(start), false));
                break;
            }
            lines.add(new Line(text.substring(start, newline), true));
            start = newline + 1;
        }
        return lines;
    }

    /** The whole edit script: common head, Myers in the middle, common tail. */
    private static List<Edit> editScript(List<Line> a, List<Line> b) {
        int head = 0;
        while (head < a.size() && head < b.size() && a.get(head).equals(b.get(head))) head++;
        int tail = 0;
        while (tail < a.size() - head && tail < b.size() - head
                && a.get(a.size() - 1 - tail).equals(b.get(b.size() - 1 - tail))) tail++;
        List<Edit> script = new ArrayList<>();
        for (int i = 0; i < head; i++) script.add(new Edit(Op.KEEP, i, i));
        middle(a, b, head, a.size() - tail, head, b.size() - tail, script);
        for (int i = 0; i < tail; i++)
            script.add(new Edit(Op.KEEP, a.size() - tail + i, b.size() - tail + i));
        return script;
    }

    /** Myers' greedy forward search with one saved frontier per edit distance, then a backtrack. */
    private static void middle(List<Line> a, List<Line> b, int aFrom, int aTo, int bFrom, int bTo, List<Edit> script) {
        int n = aTo - aFrom;
        int m = bTo - bFrom;
        int max = Math.min(n + m, MAX_EDIT_DISTANCE);
        int offset = max + 1;
        int[] v = new int[2 * max + 3];
        List<int[]> trace = new ArrayList<>();
        int found = -1;
        for (int d = 0; d <= max && found < 0; d++) {
            trace.add(v.clone());
            for (int k = -d; k <= d; k += 2) {
                int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
                        ? v[offset + k + 1] : v[offset + k - 1] + 1;
                int y = x - k;
                while (x < n && y < m && a.get(aFrom + x).equals(b.get(bFrom + y))) {
                    x++;
                    y++;
                }
                v[offset + k] = x;
                if (x >= n && y >= m) {
                    found = d;
                    break;
                }
            }
        }
        if (found < 0) {
            for (int i = 0; i < n; i++) script.add(new Edit(Op.DELETE, aFrom + i, bFrom));
            for (int j = 0; j < m; j++) script.add(new Edit(Op.INSERT, aTo, bFrom + j));
            return;
        }
        List<Edit> reversed = new ArrayList<>();
        int x = n;
        int y = m;
        for (int d = found; d > 0; d--) {
            int[] previous = trace.get(d);
            int k = x - y;
            boolean down = k == -d || (k != d && previous[offset + k - 1] < previous[offset + k + 1]);
            int previousK = down ? k + 1 : k - 1;
            int previousX = previous[offset + previousK];
            int previousY = previousX - previousK;
            while (x > previousX && y > previousY) {
                x--;
                y--;
                reversed.add(new Edit(Op.KEEP, aFrom + x, bFrom + y));
            }
            if (down) {
                y--;
                reversed.add(new Edit(Op.INSERT, aFrom + x, bFrom + y));
            } else {
                x--;
                reversed.add(new Edit(Op.DELETE, aFrom + x, bFrom + y));
            }
        }
        // No common lines before the first edit: editScript set the common head aside, so the
        // backtrack ends at the start of both sides.
        for (int i = reversed.size() - 1; i >= 0; i--) script.add(reversed.get(i));
    }

    /** [first, end) ranges of the script, each a hunk: changes with up to {@code context} kept lines around. */
    private static List<int[]> hunks(List<Edit> script, int context) {
        List<int[]> hunks = new ArrayList<>();
        int i = 0;
        while (i < script.size()) {
            while (i < script.size() && script.get(i).op() == Op.KEEP) i++;
            if (i == script.size()) break;
            int start = Math.max(0, i - context);
            int end = i;
            while (end < script.size()) {
                if (script.get(end).op() != Op.KEEP) {
                    end++;
                    continue;
                }
                int run = end;
                while (run < script.size() && script.get(run).op() == Op.KEEP) run++;
                if (run == script.size() || run - end > 2 * context) {
                    end = Math.min(run, end + context);
                    break;
                }
                end = run;
            }
            hunks.add(new int[] {start, end});
            i = end;
        }
        return hunks;
    }

    private static void appendHunk(StringBuilder out, List<Edit> script, int start, int end, List<Line> a, List<Line> b,
                                   int skippedLines) {
        int oldCount = 0;
        int newCount = 0;
        for (int i = start; i < end; i++) {
            Op op = script.get(i).op();
            if (op != Op.INSERT) oldCount++;
            if (op != Op.DELETE) newCount++;
        }
        // Every edit holds both positions (an insertion the old line it comes before, a deletion
        // the new one), so the hunk's first edit says where it starts on both sides.
        Edit first = script.get(start);
        out.append("@@ -").append(range(skippedLines + first.oldIndex(), oldCount))
                .append(" +").append(range(skippedLines + first.newIndex(), newCount)).append(" @@\n");
        for (int i = start; i < end; i++) {
            Edit e = script.get(i);
            switch (e.op()) {
                case KEEP -> out.append(a.get(e.oldIndex()).show(' '));
                case DELETE -> out.append(a.get(e.oldIndex()).show('-'));
                case INSERT -> out.append(b.get(e.newIndex()).show('+'));
            }
        }
    }

    /** diff -u's range: "start,count" (1-based), "start" for one line, and the line before for none. */
    private static String range(int zeroBasedStart, int count) {
        if (count == 0) return zeroBasedStart + ",0";
        if (count == 1) return String.valueOf(zeroBasedStart + 1);
        return (zeroBasedStart + 1) + "," + count;
    }
}
