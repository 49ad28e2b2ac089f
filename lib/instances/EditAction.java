/** The life-cycle actions of {@code -e}, spelled as on the command line. */
enum EditAction {
    CREATE, IMPORT, DESTROY, DEPORT, ENABLE, DISABLE, ASSIGN, INIT;

    String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static EditAction fromWord(String word) {
        for (EditAction action : values()) {
            if (action.word().equals(word)) return action;
        }
        throw new Fatal("Invalid '-e' edit action '" + word + "'. Specify 'create', 'destroy', 'import', "
                + "'deport', 'enable', 'disable', 'assign' or 'init'");
    }

    /** Actions that add an instance to the list (and take -I, -G and name=value words). */
    boolean adds() {
        return this == CREATE || this == IMPORT;
    }

    boolean assignsNames() {
        return adds() || this == ASSIGN;
    }
}
