///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS info.picocli:picocli-codegen:4.7.7
//SOURCES lib/cli/*.java lib/modes/*.java lib/instances/*.java lib/plan/*.java
//SOURCES lib/maincf/*.java lib/process/*.java lib/host/*.java
//JAVA_OPTIONS -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto -Xss512k -Xms8m -Xmx64m -Xmn3m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:-MaxFDLimit
//NATIVE_OPTIONS --no-fallback --install-exit-handlers

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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "postmulti", sortOptions = false, separator = " ",
        version = "postmulti.java 0.1 (compatible with Postfix 3.7 postmulti, plus -j from 3.11)",
        headerHeading = "", synopsisHeading = "",
        customSynopsis = {
            "Usage: postmulti -l [-ajRv] [-g group] [-i name] [--status | --metrics]",
            "       postmulti -p [-av] [-g group] [-i name] postfix-command...",
            "       postmulti -x [-aRv] [-g group] [-i name] unix-command...",
            "       postmulti -e init|create|import|destroy|deport|enable|disable|assign",
            "                 [-anv] [-g group] [-i name] [-G group] [-I name] [param=value ...]",
            "Common: [-c config-directory] [--root dir] [--no-syslog]"},
        description = {
            "",
            "Manage multiple Postfix instances on one host: list them, run postfix(1) or any",
            "command for each of them, and create, import, deport, destroy, enable, disable",
            "or rename them. Behaves like Postfix's own postmulti(1); see MULTI_INSTANCE_README.",
            ""},
        usageHelpWidth = 100, parameterListHeading = "Operands:%n", optionListHeading = "%nOptions:%n")
public class postmulti {
    private final Invocation invocation = new Invocation();
    private String configDirectory = Primary.DEFAULT_CONFIG_DIRECTORY;
    private boolean helpRequested;
    private boolean versionRequested;
    private boolean dryRun;
    private boolean configDirectoryRelative;
    private String root;
    private boolean syslog = true;

    @Option(order = 1, names = "-a", description = "All instances (iterator modes); with create/import: put the new instance first.")
    void selectAll(boolean on) {
        if (on) invocation.selectAll();
    }

    @Option(order = 2, names = "-e", paramLabel = "action", completionCandidates = EditActionWords.class,
            description = "Life-cycle action: init, create, import, destroy, deport, enable, disable or assign.")
    void edit(String action) {
        invocation.edit(action);
    }

    @Option(order = 3, names = "-g", paramLabel = "group", description = "Only the members of this instance group.")
    void selectGroup(String group) {
        invocation.selectGroup(group);
    }

    @Option(order = 4, names = "-i", paramLabel = "name",
            description = "Only this instance: its name, its name without 'postfix-', its config directory, or '-' for the primary.")
    void selectName(String name) {
        invocation.selectName(name);
    }

    @Option(order = 5, names = "-j", description = "With -l: one JSON object per instance (Postfix 3.11 format).")
    void json(boolean on) {
        if (on) invocation.json();
    }

    @Option(order = 6, names = "-G", paramLabel = "group", description = "With create, import or assign: the instance group ('-' for none).")
    void assignGroup(String group) {
        invocation.assignGroup(group);
    }

    @Option(order = 7, names = "-I", paramLabel = "name", description = "With create, import or assign: the instance name, 'postfix-...' ('-' for none).")
    void assignName(String name) {
        invocation.assignName(name);
    }

    @Option(order = 8, names = "-l", description = "List instances: name, group, enabled (y/n), config directory.")
    void list(boolean on) {
        if (on) invocation.mode(Invocation.IteratorMode.LIST);
    }

    @Option(order = 9, names = "-p", description = "Run 'postfix -- command...' for each instance (the postfix-wrapper interface).")
    void postfix(boolean on) {
        if (on) invocation.mode(Invocation.IteratorMode.POSTFIX);
    }

    @Option(order = 10, names = "-R", description = "Reverse the iteration order (not with -p or -e).")
    void reverse(boolean on) {
        if (on) invocation.toggleReverse();
    }

    @Option(order = 11, names = "-v", description = "Verbose; also sets MAIL_VERBOSE for the commands run.")
    void verbose(boolean on) {
        if (on) invocation.verbose();
    }

    @Option(order = 12, names = "-x", description = "Run any command for each instance, with MAIL_CONFIG and the instance's directories in the environment.")
    void command(boolean on) {
        if (on) invocation.mode(Invocation.IteratorMode.GENERIC);
    }

    @Option(order = 13, names = {"-c", "--config-directory"}, paramLabel = "dir",
            description = "The primary instance's configuration directory (default /etc/postfix).")
    void configDirectory(String directory) {
        configDirectoryRelative = !directory.startsWith("/");
        configDirectory = Primary.checkDirectoryOption(directory);
    }

    @Option(order = 14, names = {"-h", "--help"}, description = "Show this help and exit.")
    void help(boolean on) {
        helpRequested |= on;
    }

    @Option(order = 15, names = {"-V", "--version"}, description = "Show the version and exit.")
    void version(boolean on) {
        versionRequested |= on;
    }

    @Option(order = 16, names = {"-n", "--dry-run"},
            description = "With -e: show the plan (directories, diffs of the files, removals, commands) and change nothing.")
    void dryRun(boolean on) {
        dryRun |= on;
    }

    @Option(order = 17, names = "--root", paramLabel = "dir",
            description = "Work on an offline tree (a container image, a configuration repository): every file is read "
                    + "and written under dir, while main.cf keeps the target host's paths. With -l and -e only "
                    + "(-p and -x would run commands on this host); create skips set-permissions, and no instance counts as running.")
    void root(String directory) {
        root = directory;
    }

    @Option(order = 18, names = "--no-syslog",
            description = "Do not copy warnings and errors to the mail log (by default they go through "
                    + "$command_directory/postlog when it exists, as the C program logs them).")
    void noSyslog(boolean on) {
        syslog &= !on;
    }

    @Option(order = 19, names = "--status",
            description = "With -l: add whether each instance runs, its master's pid and its queues' message counts "
                    + "(with -j: as JSON members). Reads only; starts, stops and signals nothing.")
    void status(boolean on) {
        if (on) invocation.status();
    }

    @Option(order = 20, names = "--metrics",
            description = "With -l: the same state in Prometheus's text format, for node_exporter's textfile collector.")
    void metrics(boolean on) {
        if (on) invocation.metrics();
    }

    @Parameters(paramLabel = "word", arity = "0..*",
            description = "The command (with -p and -x), or param=value settings (with -e create|import).")
    void words(List<String> words) {
        invocation.words(words);
    }

    /** The words -e takes, for the completion script (picocli creates this from the annotation). */
    static final class EditActionWords implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(EditAction.values()).map(EditAction::word).iterator();
        }
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
        // The bare model: a CommandLine would also set up picocli's parser, whose built-in type
        // converters load java.time, java.sql and regex classes (about half of startup) that
        // Getopt never uses. Help builds one when asked.
        CommandSpec spec = CommandSpec.forAnnotatedObject(this);
        String[] args = Arrays.stream(osArgs).map(Host::fromOs).toArray(String[]::new);
        Getopt.Outcome outcome = new Getopt(spec).walk(args);
        if (helpRequested) {
            new CommandLine(spec).usage(out);
            return 0;
        }
        if (versionRequested) {
            out.println(spec.version()[0]);
            return 0;
        }
        Host host = host();
        ParamDefaults defaults = ParamDefaults.load();
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
