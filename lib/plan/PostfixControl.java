import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The two postfix(1) commands a life-cycle action runs: {@code postfix -c DIR set-permissions}
 * after an instance is added, and {@code postfix -c DIR status} to refuse removing a running
 * instance. Always {@code $command_directory/postfix} of the primary, in the environment the C
 * program gives its helper script: the environment cleaned to {@code import_environment},
 * {@code $command_directory:} in front of PATH, MAIL_CONFIG naming the primary, and the shared
 * and target directories exported.
 *
 * <p>Where there is no such postfix (a test tree whose command_directory holds no Postfix), the
 * step is skipped with a warning: the helper script would find some other postfix on PATH,
 * which is worse (it would work on the host's own Postfix with the tree's settings).
 *
 * <p>Also what that environment implies without running anything: the helper script's log tag,
 * and the notice postfix(1) prints when the script starts it for an instance.
 */
final class PostfixControl {
    /** sys_defs.h ROOT_PATH on Linux, used when PATH is unset or empty. */
    static final String ROOT_PATH = "/bin:/usr/bin:/sbin:/usr/sbin";
    private static final long STATUS_TIMEOUT_SECONDS = 120;
    private static final String CURRENT_COMPATIBILITY_LEVEL = "3.6";

    private final Primary primary;
    private final Host host;
    private final Map<String, String> environment;

    PostfixControl(Primary primary, Host host, Map<String, String> environment) {
        this.primary = primary;
        this.host = host;
        this.environment = environment;
    }

    /** The postfix command, a host path. */
    String postfix() {
        return primary.value("command_directory") + "/postfix";
    }

    boolean available() {
        Path path = host.path(postfix());
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }

    /** The command line: the executable as found through the host, the directory as the instance knows it. */
    List<String> argv(String configDirectory, String command) {
        return List.of(host.path(postfix()).toString(), "-c", Host.toOs(configDirectory), command);
    }

    /** How we name a step in messages and in the dry run. */
    String describe(String configDirectory, String command) {
        return postfix() + " -c " + configDirectory + " " + command;
    }

    /**
     * {@code postfix -c DIR set-permissions}, sharing our stdio, in a process group of its own
     * (postfix runs postfix-script, which runs post-install: a signal must reach them all, and
     * we must not go on, undo or exit while one of them still runs); returns its status.
     */
    int setPermissions(Instance target) {
        return Launcher.runAsGroup(argv(target.configDirectory(), "set-permissions"), helperEnvironment(target));
    }

    /**
     * Whether {@code postfix -c DIR status} succeeds, its output discarded as the helper script
     * does. Without a postfix command the instance counts as stopped, with a warning. In an
     * offline tree (--root) nothing runs, and this host's processes say nothing about it: the
     * instance counts as stopped, and no postfix is run.
     */
    boolean running(Instance target) {
        if (host.offline()) return false;
        if (!available()) {
            Msg.warn("no " + postfix() + ": cannot check that " + target.configDirectory() + " is stopped");
            return false;
        }
        ProcessBuilder builder = new ProcessBuilder(argv(target.configDirectory(), "status"))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(helperEnvironment(target));
        try {
            Process process = builder.start();
            if (!process.waitFor(STATUS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new Fatal(describe(target.configDirectory(), "status") + ": timed out");
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Fatal(describe(target.configDirectory(), "status") + ": interrupted");
        }
    }

    /**
     * What postfix(1) says each time it starts for an instance below compatibility level 3.6,
     * the last level that changed defaults (Postfix 3.6 and later advise it); nothing for
     * others, and nothing where the level cannot be read (postfix would stop on that instead).
     */
    static List<String> compatibilityNotice(Parameters instance) {
        String legacy;
        try {
            legacy = Expander.expand("${{$compatibility_level} <level {" + CURRENT_COMPATIBILITY_LEVEL + "} ? {yes}}",
                    instance::raw);
        } catch (Expander.MacroError malformed) {
            return List.of();
        }
        if (!legacy.equals("yes")) return List.of();
        return List.of("Postfix is using backwards-compatible default settings",
                "See http://www.postfix.org/COMPATIBILITY_README.html for details",
                "To disable backwards compatibility use \"postconf compatibility_level=" + CURRENT_COMPATIBILITY_LEVEL
                        + "\" and \"postfix reload\"");
    }

    /** The helper script's environment (OS strings). */
    Map<String, String> helperEnvironment(Instance target) {
        Map<String, String> child = cleanEnvironment();
        String path = environment.get("PATH");
        child.put("PATH", Host.toOs(primary.value("command_directory")) + ":"
                + (path == null || path.isEmpty() ? ROOT_PATH : path));
        child.put("MAIL_CONFIG", Host.toOs(primary.configDirectory()));
        for (String shared : Primary.SHARED_DIRECTORIES) child.put(shared, Host.toOs(primary.value(shared)));
        child.put("config_directory", Host.toOs(target.configDirectory()));
        child.put("queue_directory", Host.toOs(target.queueDirectory()));
        child.put("data_directory", Host.toOs(target.dataDirectory()));
        return child;
    }

    /**
     * The helper script's log tag, {@code $MAIL_LOGTAG/postmulti-script}: the C program exports
     * the primary's syslog_name as MAIL_LOGTAG, and the helper sees it if import_environment
     * lets it through (else the tag is just {@code /postmulti-script}).
     */
    String helperTag() {
        String logTag = cleanEnvironment().get("MAIL_LOGTAG");
        return (logTag == null ? "" : Host.fromOs(logTag)) + "/postmulti-script";
    }

    /**
     * clean_env(3) of the C program's environment: only the variables named in
     * import_environment survive; name=value ones are set. That environment already has
     * MAIL_LOGTAG, the primary's syslog_name (see postmulti's childEnvironment), as every
     * Postfix program exports it once it has read main.cf.
     */
    private Map<String, String> cleanEnvironment() {
        Map<String, String> kept = new LinkedHashMap<>();
        List<String> assignments = new ArrayList<>();
        for (String element : Primary.split(primary.value("import_environment"))) {
            int equals = element.indexOf('=');
            if (equals > 0) {
                assignments.add(element);
                continue;
            }
            String value = environment.get(Host.toOs(element));
            if (value != null) kept.put(Host.toOs(element), value);
        }
        for (String assignment : assignments) {
            int equals = assignment.indexOf('=');
            kept.put(Host.toOs(assignment.substring(0, equals)), Host.toOs(assignment.substring(equals + 1)));
        }
        return kept;
    }
}
