import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * The picocli model of postmulti as the generated docs see it (used by tools/generate-docs.java
 * and tests/GeneratedDocsTest.java, so both render the same thing): the one postmulti.java
 * builds, options in their declared order.
 */
final class DocsModel {
    private DocsModel() {
    }

    static CommandLine commandLine() {
        return new CommandLine(new postmulti().model());
    }

    static String bashCompletion() {
        return AutoComplete.bash("postmulti", commandLine());
    }
}
