import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The picocli model of postmulti as the generated docs see it (used by tools/generate-docs.java
 * and tests/GeneratedDocsTest.java, so both render the same thing).
 *
 * <p>picocli lists options in the order reflection returns the annotated methods, which the
 * JVM does not fix: two builds of the same source can differ, and the completion script would
 * change for nothing. So the options are put in their declared {@code order}, then by name.
 */
final class DocsModel {
    private DocsModel() {
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new postmulti());
        CommandSpec spec = commandLine.getCommandSpec();
        List<OptionSpec> options = new ArrayList<>(spec.options());
        options.sort(Comparator.comparingInt(OptionSpec::order).thenComparing(OptionSpec::longestName));
        options.forEach(spec::remove);
        options.forEach(spec::addOption);
        return commandLine;
    }

    static String bashCompletion() {
        return AutoComplete.bash("postmulti", commandLine());
    }
}
