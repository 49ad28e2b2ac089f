import java.util.ArrayList;
import java.util.List;

/**
 * What the command line asked for, recorded option by option in the order getopt sees them,
 * and checked in one place with the C program's own words.
 */
final class Invocation {
    /** The mode switches; an edit action counts as its own mode, as in the C program. */
    sealed interface Mode permits IteratorMode, Edit {
    }

    enum IteratorMode implements Mode { LIST, POSTFIX, GENERIC }

    record Edit(EditAction action) implements Mode {
    }

    private Mode mode;
    private int modeCount;
    private int selectionCount;
    private Selection selection = Selection.NONE;
    private String assignedName;
    private String assignedGroup;
    private boolean reverse;
    private int verbose;
    private boolean json;
    private boolean status;
    private boolean metrics;
    private final List<String> words = new ArrayList<>();

    void selectAll() {
        if (selection.type() != Selection.Type.ALL) selectionCount++;
        selection = Selection.ALL;
    }

    void selectGroup(String group) {
        selectionCount++;
        selection = Selection.byGroup(group);
    }

    void selectName(String name) {
        selectionCount++;
        selection = Selection.byName(name);
    }

    void mode(Mode requested) {
        if (!requested.equals(mode)) modeCount++;
        mode = requested;
    }

    void edit(String word) {
        mode(new Edit(EditAction.fromWord(word)));
    }

    /** {@code -I}: "-" means "no name", kept internally as the empty string. */
    void assignName(String name) {
        if (assignedName != null) throw new Fatal("Specify at most one '-I' option");
        assignedName = name.equals("-") ? "" : name;
    }

    void assignGroup(String group) {
        if (assignedGroup != null) throw new Fatal("Specify at most one '-G' option");
        assignedGroup = group.equals("-") ? "" : group;
    }

    void toggleReverse() {
        reverse = !reverse;
    }

    void verbose() {
        verbose++;
    }

    void json() {
        json = true;
    }

    void status() {
        status = true;
    }

    void metrics() {
        metrics = true;
    }

    void words(List<String> operands) {
        words.addAll(operands);
    }

    /** The checks the C program makes after option parsing, in its order and with its texts. */
    void validate() {
        if (selectionCount > 1) throw new Fatal("Specity no more than one of '-a', '-g', '-i'");
        if (modeCount != 1) throw new Fatal("Specify exactly one of '-e', '-l', '-p', '-x'");
        if (mode == IteratorMode.LIST && !words.isEmpty()) throw new Fatal("Command not allowed with '-l'");
        if ((mode == IteratorMode.POSTFIX || mode == IteratorMode.GENERIC) && words.isEmpty())
            throw new Fatal("Command required with '-p' or '-x' option");
        if ((mode == IteratorMode.POSTFIX || mode instanceof Edit) && reverse)
            throw new Fatal("The '-p' and '-e' options preclude the use of '-R'");
        checkAssignments();
        if (mode instanceof Edit edit) checkEditWords(edit.action());
        if (json && mode != IteratorMode.LIST) throw new Fatal("JSON output available only with '-l'");
        checkStatusOptions();
    }

    /** Our monitoring options, after every check of the C program's, in its words' style. */
    private void checkStatusOptions() {
        if (status && mode != IteratorMode.LIST) throw new Fatal("The '--status' option is available only with '-l'");
        if (metrics && mode != IteratorMode.LIST) throw new Fatal("The '--metrics' option is available only with '-l'");
        if (metrics && json) throw new Fatal("The '--metrics' option precludes the use of '-j'");
    }

    private void checkAssignments() {
        boolean assigns = assignedName != null || assignedGroup != null;
        if (!assigns) return;
        if (!(mode instanceof Edit edit))
            throw new Fatal("Cannot assign instance name or group without '-e assign'");
        if (!edit.action().assignsNames())
            throw new Fatal("Cannot assign instance name or group with '-e " + edit.action().word() + "'");
    }

    private void checkEditWords(EditAction action) {
        if (action == EditAction.ASSIGN && assignedName == null && assignedGroup == null)
            throw new Fatal("Specify new instance name or group with '-e assign'");
        if (!action.adds() && !words.isEmpty())
            throw new Fatal("Parameter overrides not valid with '-e " + action.word() + "'");
    }

    Mode mode() {
        return mode;
    }

    Selection selection() {
        return selection;
    }

    String assignedName() {
        return assignedName;
    }

    String assignedGroup() {
        return assignedGroup;
    }

    boolean reverse() {
        return reverse;
    }

    int verbosity() {
        return verbose;
    }

    boolean jsonOutput() {
        return json;
    }

    /** -l with --status or --metrics (which includes the status): the state of each instance, not only its settings. */
    boolean statusOutput() {
        return status || metrics;
    }

    boolean metricsOutput() {
        return metrics;
    }

    List<String> words() {
        return List.copyOf(words);
    }
}
