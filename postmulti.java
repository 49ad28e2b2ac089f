///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/cli/*.java lib/modes/*.java lib/instances/*.java lib/plan/*.java
//SOURCES lib/maincf/*.java lib/process/*.java lib/host/*.java
//JAVA_OPTIONS -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto -Xss512k -Xms8m -Xmx64m -XX:-MaxFDLimit
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
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The command surface. The options are picocli's model built with its builders rather than
 * annotations: reading annotations costs reflection, dynamic proxies and a few hundred classes
 * at every start, more than all of a {@code -l} on one instance. Help, the man page and the
 * completion script (tools/DocsModel.java) are made from this same model.
 */
public class postmulti {
    static final String VERSION = "postmulti.java 0.1 (compatible with Postfix 3.7 postmulti, plus -j from 3.11)";

    private final Invocation invocation = new Invocation();
    private String configDirectory = Primary.DEFAULT_CONFIG_DIRECTORY;
    private boolean helpRequested;
    private boolean versionRequested;
    private boolean dryRun;
    private boolean configDirectoryRelative;
    private String root;
    private boolean syslog = true;

    /** The options in the order --help lists them; each one a flag or an option with a value. */
    CommandSpec model() {
        CommandSpec spec = usage(CommandSpec.create().name("postmulti").version(VERSION));
        spec.parser().separator(" ");
        List<OptionSpec.Builder> options = List.of(
                flag(invocation::selectAll, "-a")
                        .description("All instances (iterator modes); with create/import: put the new instance first."),
                valued(invocation::edit, "action", "-e").completionCandidates(new EditActionWords())
                        .description("Life-cycle action: init, create, import, destroy, deport, enable, disable or assign."),
                valued(invocation::selectGroup, "group", "-g")
                        .description("Only the members of this instance group."),
                valued(invocation::selectName, "name", "-i")
                        .description("Only this instance: its name, its name without 'postfix-', its config directory, or '-' for the primary."),
                flag(invocation::json, "-j")
                        .description("With -l: one JSON object per instance (Postfix 3.11 format)."),
                valued(invocation::assignGroup, "group", "-G")
                        .description("With create, import or assign: the instance group ('-' for none)."),
                valued(invocation::assignName, "name", "-I")
                        .description("With create, import or assign: the instance name, 'postfix-...' ('-' for none)."),
                flag(() -> invocation.mode(Invocation.IteratorMode.LIST), "-l")
                        .description("List instances: name, group, enabled (y/n), config directory."),
                flag(() -> invocation.mode(Invocation.IteratorMode.POSTFIX), "-p")
                        .description("Run 'postfix -- command...' for each instance (the postfix-wrapper interface)."),
                flag(invocation::toggleReverse, "-R")
                        .description("Reverse the iteration order (not with -p or -e)."),
                flag(invocation::verbose, "-v")
                        .description("Verbose; also sets MAIL_VERBOSE for the commands run."),
                flag(() -> invocation.mode(Invocation.IteratorMode.GENERIC), "-x")
                        .description("Run any command for each instance, with MAIL_CONFIG and the instance's directories in the environment."),
                valued(this::configDirectory, "dir", "-c", "--config-directory")
                        .description("The primary instance's configuration directory (default /etc/postfix)."),
                flag(() -> helpRequested = true, "-h", "--help")
                        .description("Show this help and exit."),
                flag(() -> versionRequested = true, "-V", "--version")
                        .description("Show the version and exit."),
                flag(() -> dryRun = true, "-n", "--dry-run")
                        .description("With -e: show what would change, as a unified diff, and change nothing."),
                valued(directory -> root = directory, "dir", "--root")
                        .description("Work on an offline tree (a container image, a configuration repository): every file is read "
                                + "and written under dir, while main.cf keeps the target host's paths. With -l and -e only "
                                + "(-p and -x would run commands on this host); create skips set-permissions, and no instance counts as running."),
                flag(() -> syslog = false, "--no-syslog")
                        .description("Do not copy warnings and errors to the mail log (by default they go through "
                                + "$command_directory/postlog when it exists, as the C program logs them)."));
        for (int i = 0; i < options.size(); i++) spec.addOption(options.get(i).order(i + 1).build());
        // Getopt hands the operands to Invocation itself; this entry is for help and the docs.
        spec.addPositional(PositionalParamSpec.builder().paramLabel("word").arity("0..*").type(List.class)
                .auxiliaryTypes(String.class)
                .description("The command (with -p and -x), or param=value settings (with -e create|import).").build());
        return spec;
    }

    private static CommandSpec usage(CommandSpec spec) {
        spec.usageMessage().sortOptions(false).headerHeading("").synopsisHeading("").width(100)
                .customSynopsis(
                        "Usage: postmulti -l [-ajRv] [-g group] [-i name]",
                        "       postmulti -p [-av] [-g group] [-i name] postfix-command...",
                        "       postmulti -x [-aRv] [-g group] [-i name] unix-command...",
                        "       postmulti -e init|create|import|destroy|deport|enable|disable|assign",
                        "                 [-av] [-g group] [-i name] [-G group] [-I name] [param=value ...]",
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

    /** An option without a value: each occurrence runs the action. */
    private static OptionSpec.Builder flag(Runnable action, String... names) {
        return OptionSpec.builder(names).arity("0").type(boolean.class).setter(new Setter(value -> action.run()));
    }

    /** An option with a value (attached or the next word): each occurrence passes it on. */
    private static OptionSpec.Builder valued(Consumer<String> action, String paramLabel, String... names) {
        return OptionSpec.builder(names).arity("1").type(String.class).paramLabel(paramLabel)
                .setter(new Setter(value -> action.accept((String) value)));
    }

    /** picocli's setter interface has a generic method, which a lambda cannot implement. */
    private record Setter(Consumer<Object> action) implements ISetter {
        @Override
        public <T> T set(T value) {
            action.accept(value);
            return null;
        }
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
        // The bare model: a CommandLine would also set up picocli's parser, whose built-in type
        // converters load java.time, java.sql and regex classes that Getopt never uses. Help
        // builds one when asked.
        CommandSpec spec = model();
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
            return Lifecycle.run(edit.action(), request, primary.configDirectory(), host, defaults, childEnvironment, out, dryRun);
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
                ListMode.list(order, selection, invocation.jsonOutput(), out);
                yield 0;
            }
            case POSTFIX -> new IteratorMode(primary, childEnvironment).postfix(registry.all(), selection, invocation.words());
            case GENERIC -> new IteratorMode(primary, childEnvironment).generic(order, selection, invocation.words());
        };
        return damaged ? 1 : status;
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
