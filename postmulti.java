///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/cli/*.java lib/modes/*.java lib/instances/*.java lib/plan/*.java
//SOURCES lib/maincf/*.java lib/process/*.java lib/host/*.java
//JAVA_OPTIONS -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto -Xss512k -Xms8m -Xmx64m -Xmn3m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:-MaxFDLimit
//NATIVE_OPTIONS --no-fallback --install-exit-handlers
//COMPILE_OPTIONS -encoding UTF-8 -XDstringConcat=inline

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The command surface. The options are a plain table ({@link #options()}) that Getopt walks
 * argv over: a start loads nothing of picocli, whose annotations (reflection, dynamic proxies)
 * or even its model cost more than all of a {@code -l} on one instance. picocli's model is made
 * from the table only for help, the man page and the completion script (tools/DocsModel.java).
 */
public class postmulti implements CliOption.Handler {
    static final String VERSION = "postmulti.java 0.1 (compatible with Postfix 3.7 postmulti, plus -j from 3.11)";

    private final Invocation invocation = new Invocation();
    private String configDirectory = Primary.DEFAULT_CONFIG_DIRECTORY;
    private boolean helpRequested;
    private boolean versionRequested;
    private boolean dryRun;
    private boolean configDirectoryRelative;
    private String root;
    private boolean syslog = true;

    /** The options, in the order --help lists them. */
    List<CliOption> options() {
        return List.of(
                CliOption.flag("-a", "All instances (iterator modes); with create/import: put the new instance first."),
                CliOption.valued("-e", "action", "Life-cycle action: init, create, import, destroy, deport, enable, disable or assign.")
                        .completing(new EditActionWords()),
                CliOption.valued("-g", "group", "Only the members of this instance group."),
                CliOption.valued("-i", "name", "Only this instance: its name, its name without 'postfix-', its config directory, or '-' for the primary."),
                CliOption.flag("-j", "With -l: one JSON object per instance (Postfix 3.11 format)."),
                CliOption.valued("-G", "group", "With create, import or assign: the instance group ('-' for none)."),
                CliOption.valued("-I", "name", "With create, import or assign: the instance name, 'postfix-...' ('-' for none)."),
                CliOption.flag("-l", "List instances: name, group, enabled (y/n), config directory."),
                CliOption.flag("-p", "Run 'postfix -- command...' for each instance (the postfix-wrapper interface)."),
                CliOption.flag("-R", "Reverse the iteration order (not with -p or -e)."),
                CliOption.flag("-v", "Verbose; also sets MAIL_VERBOSE for the commands run."),
                CliOption.flag("-x", "Run any command for each instance, with MAIL_CONFIG and the instance's directories in the environment."),
                CliOption.valued("-c --config-directory", "dir", "The primary instance's configuration directory (default /etc/postfix)."),
                CliOption.flag("-h --help", "Show this help and exit."),
                CliOption.flag("-V --version", "Show the version and exit."),
                CliOption.flag("-n --dry-run", "With -e: show the plan (directories, diffs of the files, removals, commands) and change nothing."),
                CliOption.valued("--root", "dir", "Work on an offline tree (a container image, a configuration repository): every file is read "
                                + "and written under dir, while main.cf keeps the target host's paths. With -l and -e only "
                                + "(-p and -x would run commands on this host); create skips set-permissions, and no instance counts as running."),
                CliOption.flag("--no-syslog", "Do not copy warnings and errors to the mail log (by default they go through "
                                + "$command_directory/postlog when it exists, as the C program logs them)."),
                CliOption.flag("--status", "With -l: add whether each instance runs, its master's pid and its queues' message counts "
                                + "(with -j: as JSON members). Reads only; starts, stops and signals nothing."),
                CliOption.flag("--metrics", "With -l: the same state in Prometheus's text format, for node_exporter's textfile collector."));
    }

    /** What each occurrence of an option does (one case per option: see {@link CliOption}). */
    @Override
    public void handle(CliOption option, String value) {
        switch (option.name()) {
            case "-a" -> invocation.selectAll();
            case "-e" -> invocation.edit(value);
            case "-g" -> invocation.selectGroup(value);
            case "-i" -> invocation.selectName(value);
            case "-j" -> invocation.json();
            case "-G" -> invocation.assignGroup(value);
            case "-I" -> invocation.assignName(value);
            case "-l" -> invocation.mode(Invocation.IteratorMode.LIST);
            case "-p" -> invocation.mode(Invocation.IteratorMode.POSTFIX);
            case "-R" -> invocation.toggleReverse();
            case "-v" -> invocation.verbose();
            case "-x" -> invocation.mode(Invocation.IteratorMode.GENERIC);
            case "-c" -> configDirectory(value);
            case "-h" -> helpRequested = true;
            case "-V" -> versionRequested = true;
            case "-n" -> dryRun = true;
            case "--root" -> root = value;
            case "--no-syslog" -> syslog = false;
            case "--status" -> invocation.status();
            case "--metrics" -> invocation.metrics();
            default -> throw new IllegalStateException("no case for option " + option.name());
        }
    }

    /** picocli's model of the command, for help and the generated docs. */
    CommandSpec model() {
        CommandSpec spec = usage(CommandSpec.create().name("postmulti").version(VERSION));
        spec.parser().separator(" ");
        List<CliOption> options = options();
        for (int i = 0; i < options.size(); i++) {
            CliOption option = options.get(i);
            OptionSpec.Builder builder = OptionSpec.builder(option.names().toArray(String[]::new))
                    .description(option.description()).order(i + 1);
            if (option.takesValue()) builder.arity("1").type(String.class).paramLabel(option.paramLabel());
            else builder.arity("0").type(boolean.class);
            if (option.candidates() != null) builder.completionCandidates(option.candidates());
            spec.addOption(builder.build());
        }
        spec.addPositional(PositionalParamSpec.builder().paramLabel("word").arity("0..*").type(List.class)
                .auxiliaryTypes(String.class)
                .description("The command (with -p and -x), or param=value settings (with -e create|import).").build());
        return spec;
    }

    private static CommandSpec usage(CommandSpec spec) {
        spec.usageMessage().sortOptions(false).headerHeading("").synopsisHeading("").width(100)
                .customSynopsis(
                        "Usage: postmulti -l [-ajRv] [-g group] [-i name] [--status | --metrics]",
                        "       postmulti -p [-av] [-g group] [-i name] postfix-command...",
                        "       postmulti -x [-aRv] [-g group] [-i name] unix-command...",
                        "       postmulti -e init|create|import|destroy|deport|enable|disable|assign",
                        "                 [-anv] [-g group] [-i name] [-G group] [-I name] [param=value ...]",
                        "Common: [-c config-directory] [--root dir] [--no-syslog]")
                .description(
                        "",
                        "Manage multiple Postfix instances on one host: list them, run postfix(1) or any",
                        "command for each of them, and create, import, deport, destroy, enable, disable",
                        "or rename them. Behaves like Postfix's own postmulti(1); see MULTI_INSTANCE_README.",
                        "")
                .parameterListHeading("Operands:%n").optionListHeading("%nOptions:%n");
        return spec;
    }

    /** The words -e takes, for the completion script (only generate-docs iterates over them). */
    private static final class EditActionWords implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(EditAction.values()).map(EditAction::word).iterator();
        }
    }

    private void configDirectory(String directory) {
        configDirectoryRelative = !directory.startsWith("/");
        configDirectory = Primary.checkDirectoryOption(directory);
    }

    public static void main(String[] args) {
        Launcher.preferVfork();
        PrintStream out = StandardOutput.open();
        Msg.redirect(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.ISO_8859_1));
        int status = new postmulti().run(args, System.getenv(), out);
        out.flush();
        System.exit(status);
    }

    int run(String[] osArgs, Map<String, String> environment, PrintStream out) {
        try {
            return dispatch(osArgs, environment, out);
        } catch (StandardOutput.ReaderGone gone) {
            return StandardOutput.KILLED_BY_SIGPIPE;
        } catch (Fatal fatal) {
            out.flush();
            fatal.report();
            return 1;
        } catch (OutOfMemoryError exhausted) {
            // Input limits keep this from happening; should one be missing, a plain line beats a stack trace.
            out.flush();
            Msg.fatalLine("out of memory");
            return 1;
        } finally {
            Msg.logTo(null);
        }
    }

    private int dispatch(String[] osArgs, Map<String, String> environment, PrintStream out) {
        String[] args = new String[osArgs.length];
        for (int i = 0; i < args.length; i++) args[i] = Host.fromOs(osArgs[i]);
        Getopt.Outcome outcome = new Getopt(options(), this).walk(args);
        if (helpRequested) {
            new CommandLine(model()).usage(out);
            return 0;
        }
        if (versionRequested) {
            out.println(VERSION);
            return 0;
        }
        Host host = host();
        ParamDefaults defaults = ParamDefaults.load(environment);
        // The C program's order: main.cf is read and checked (MAIL_CONFIG's, should that differ)
        // before MAIL_CONFIG is checked, and both before any complaint about the command line.
        Primary.checkMailConfig(host, environment, configDirectory, defaults);
        Primary primary = Primary.load(host, configDirectory, defaults);
        if (syslog && !host.offline()) Msg.logTo(primary.syslog(host));
        primary.reportReading();
        Msg.allowUtf8(primary.utf8Enabled());
        outcome.rethrow();
        invocation.words(outcome.operands());
        invocation.validate();
        Claims claims = new Claims();
        primary.checkSharedDirectories(host, claims);
        return perform(primary, host, defaults, claims, environment, out);
    }

    private int perform(Primary primary, Host host, ParamDefaults defaults, Claims claims,
                        Map<String, String> environment, PrintStream out) {
        Map<String, String> childEnvironment = childEnvironment(primary, environment);
        if (invocation.mode() instanceof Invocation.Edit edit) {
            Lifecycle.Request request = new Lifecycle.Request(invocation.assignedName(), invocation.assignedGroup(),
                    invocation.selection(), invocation.words());
            return Lifecycle.run(edit.action(), request, primary, host, defaults, childEnvironment, out, dryRun);
        }
        if (dryRun) throw new Fatal("The '-n' option is available only with '-e'");
        if (host.offline() && invocation.mode() != Invocation.IteratorMode.LIST)
            throw new Fatal("The '--root' option is available only with '-l' and '-e': '-p' and '-x' run commands on this host");
        InstanceRegistry registry = InstanceRegistry.loadSkippingDamaged(primary, host, defaults, claims);
        boolean damaged = registry.reportDamage();
        Selection selection = invocation.selection().orAll();
        List<Instance> order = registry.iterationOrder(invocation.reverse());
        int status = switch ((Invocation.IteratorMode) invocation.mode()) {
            case LIST -> {
                if (invocation.statusOutput()) StatusMode.list(order, selection, statusFormat(),
                        new InstanceStatus.Reader(primary, host, defaults), out);
                else ListMode.list(order, selection, invocation.jsonOutput(), out);
                yield 0;
            }
            case POSTFIX -> new IteratorMode(primary, childEnvironment).postfix(registry.all(), selection, invocation.words());
            case GENERIC -> new IteratorMode(primary, childEnvironment).generic(order, selection, invocation.words());
        };
        return damaged ? 1 : status;
    }

    private StatusMode.Format statusFormat() {
        if (invocation.metricsOutput()) return StatusMode.Format.METRICS;
        return invocation.jsonOutput() ? StatusMode.Format.JSON : StatusMode.Format.TABLE;
    }

    /** The file system to work on: this host, or with --root an offline tree. */
    private Host host() {
        if (root == null) return Host.live();
        if (configDirectoryRelative) throw new Fatal("With '--root', '-c' takes an absolute path on the target host");
        return Host.under(root);
    }

    /**
     * Our environment as the C program passes its own on to every command it runs: MAIL_LOGTAG
     * set to the primary's syslog_name (every Postfix program exports it once it has read
     * main.cf), and MAIL_VERBOSE when -v was given.
     */
    private Map<String, String> childEnvironment(Primary primary, Map<String, String> environment) {
        Map<String, String> child = new HashMap<>(environment);
        child.put("MAIL_LOGTAG", Host.toOs(primary.value("syslog_name")));
        if (invocation.verbosity() > 0) child.put("MAIL_VERBOSE", "");
        return child;
    }
}
