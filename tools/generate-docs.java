///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli-codegen:4.7.7
//DEPS org.asciidoctor:asciidoctorj:2.5.13
//SOURCES ../postmulti.java DocsModel.java
//COMPILE_OPTIONS -encoding UTF-8
//MAIN generate_docs

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.asciidoctor.Asciidoctor;
import org.asciidoctor.Attributes;
import org.asciidoctor.Options;
import org.asciidoctor.SafeMode;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the bash completion script and the man page from the picocli model of postmulti.java,
 * so that neither can drift from the options the tool really has.
 *
 * <pre>
 *   ./jbang tools/generate-docs.java           rewrite postmulti.bash and postmulti.1 (run in the checkout's top directory)
 *   ./jbang tools/generate-docs.java --check   exit 1, naming the stale files, if either is out of date
 * </pre>
 *
 * postmulti.bash is picocli's AutoComplete output. postmulti.1 is picocli's ManPageGenerator
 * output (AsciiDoc in the manpage doctype) converted to troff by Asciidoctor, with the
 * "reproducible" attribute so that the file holds no date and regenerates byte for byte.
 * Completion follows the model, which is also what lib/Getopt.java walks argv over, so it is
 * right although picocli's own parser is not used.
 */
class generate_docs {
    static final String BASH = "postmulti.bash";
    static final String MAN = "postmulti.1";
    static final String REGENERATE = "./jbang tools/generate-docs.java";

    public static void main(String[] args) throws Exception {
        boolean check = args.length == 1 && args[0].equals("--check");
        if (args.length > 1 || (args.length == 1 && !check)) {
            System.err.println("usage: " + REGENERATE + " [--check]");
            System.exit(2);
        }
        Path top = Path.of("");
        if (!Files.isRegularFile(top.resolve("postmulti.java"))) {
            System.err.println("generate-docs: run me in the checkout's top directory (where postmulti.java is)");
            System.exit(2);
        }
        Map<String, String> files = render();
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = top.resolve(file.getKey());
            byte[] wanted = file.getValue().getBytes(StandardCharsets.UTF_8);
            boolean current = Files.isRegularFile(path) && java.util.Arrays.equals(Files.readAllBytes(path), wanted);
            if (current) continue;
            stale.add(file.getKey());
            if (!check) Files.write(path, wanted);
        }
        if (check && !stale.isEmpty()) {
            System.err.println("out of date: " + String.join(", ", stale) + "; regenerate with: " + REGENERATE);
            System.exit(1);
        }
        System.out.println(stale.isEmpty() ? "up to date: " + String.join(", ", files.keySet())
                : (check ? "" : "wrote: ") + String.join(", ", stale));
    }

    /** File name to content, rendered from a fresh model of the command. */
    static Map<String, String> render() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(BASH, bashCompletion());
        files.put(MAN, manPage());
        return files;
    }

    /** One line for the man page's NAME section, as Postfix's own postmulti(1) has it. */
    static final String NAME_LINE = "Postfix multi-instance manager";

    static String bashCompletion() {
        return DocsModel.bashCompletion();
    }

    /** picocli's AsciiDoc man page, before conversion (handy to read what the model says). */
    static String manPageAsciiDoc() throws IOException {
        CommandLine.Model.CommandSpec spec = DocsModel.commandLine().getCommandSpec();
        // The NAME section is the command's header, which the --help layout leaves out.
        spec.usageMessage().header(NAME_LINE);
        StringWriter adoc = new StringWriter();
        try (PrintWriter writer = new PrintWriter(adoc)) {
            ManPageGenerator.writeSingleManPage(writer, spec);
        }
        return withHandWrittenParts(tidy(adoc.toString()), Files.readString(Path.of(HAND_WRITTEN), StandardCharsets.UTF_8));
    }

    /** What the model cannot say (each mode and action, environment, files, examples...), in AsciiDoc. */
    static final String HAND_WRITTEN = "tools/postmulti.1.adoc";
    static final String AFTER_OPTIONS = "// after options\n";

    /**
     * picocli's page with the hand-written parts put in: the first at the end of DESCRIPTION,
     * the rest (sections of their own) after OPTIONS and ARGUMENTS.
     */
    static String withHandWrittenParts(String adoc, String handWritten) {
        int split = handWritten.indexOf(AFTER_OPTIONS);
        if (split < 0) throw new IllegalStateException(HAND_WRITTEN + " lacks the line " + AFTER_OPTIONS.trim());
        String description = handWritten.substring(0, split).replaceAll("(?m)^//.*\n", "");
        String sections = handWritten.substring(split + AFTER_OPTIONS.length());
        String withDescription = insertBefore(adoc, "// end::picocli-generated-man-section-description[]", description);
        return insertBefore(withDescription, "// tag::picocli-generated-man-section-commands[]", sections);
    }

    private static String insertBefore(String text, String marker, String inserted) {
        int at = text.indexOf(marker);
        if (at < 0) throw new IllegalStateException("picocli's man page lacks " + marker);
        return text.substring(0, at) + inserted.strip() + "\n\n" + text.substring(at);
    }

    /**
     * Three fixes to picocli's AsciiDoc, all for how it reads once converted: the hand-aligned
     * synopsis lines stay lines (a literal block, not a paragraph that troff would refill);
     * an option without a second name or a value loses the dangling ", " picocli writes after
     * it ("-a, "), and a value follows its option after a space ("-e action", not "-e, action");
     * and "--" in descriptions stays two hyphens instead of becoming an em dash.
     */
    static String tidy(String adoc) {
        StringBuilder out = new StringBuilder();
        boolean inSynopsis = false;
        for (String line : adoc.split("\n", -1)) {
            if (line.equals("== Synopsis")) {
                out.append(line).append("\n\n....\n");
                inSynopsis = true;
                continue;
            }
            if (inSynopsis && line.startsWith("// end::")) {
                trimTrailingBlankLines(out);
                out.append("\n....\n\n");
                inSynopsis = false;
            }
            if (inSynopsis && line.isEmpty() && out.toString().endsWith("....\n")) continue;
            if (line.matches("\\*-[^*, ]+\\*, (_[^_]*_)?::")) line = line.replaceFirst(", ", " ").replace(" ::", "::");
            if (line.startsWith("  ")) line = line.replace("--", "\\--");
            out.append(line).append('\n');
        }
        out.setLength(out.length() - 1);
        return out.toString();
    }

    private static void trimTrailingBlankLines(StringBuilder out) {
        while (out.length() > 0 && out.charAt(out.length() - 1) == '\n') out.setLength(out.length() - 1);
    }

    static String manPage() throws Exception {
        String adoc = manPageAsciiDoc();
        // Asciidoctor runs on JRuby, which recurses deeply: give it a thread with a large stack,
        // as postmulti.java's //JAVA_OPTIONS (which apply here too) keep the default one small.
        AtomicReference<Object> result = new AtomicReference<>();
        Thread converter = new Thread(null, () -> {
            try (Asciidoctor asciidoctor = Asciidoctor.Factory.create()) {
                result.set(asciidoctor.convert(adoc, Options.builder()
                        .backend("manpage").standalone(true).safe(SafeMode.SECURE)
                        .attributes(Attributes.builder().attribute("reproducible", "").build())
                        .build()));
            } catch (RuntimeException | Error e) {
                result.set(e);
            }
        }, "asciidoctor", 64L << 20);
        converter.start();
        converter.join();
        if (result.get() instanceof Throwable failure) throw new IOException("asciidoctor failed", failure);
        String troff = (String) result.get();
        return troff.endsWith("\n") ? troff : troff + "\n";
    }
}
