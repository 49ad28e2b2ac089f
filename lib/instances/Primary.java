import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The primary instance: the configuration directory given with -c (default /etc/postfix),
 * whose main.cf lists the secondaries and holds the settings shared by all instances.
 */
final class Primary {
    static final String DEFAULT_CONFIG_DIRECTORY = "/etc/postfix";
    /** Shared directories that must exist; all but meta_directory are also claimed. */
    static final List<String> SHARED_DIRECTORIES =
            List.of("command_directory", "daemon_directory", "meta_directory", "shlib_directory");
    private static final String LIST_SEPARATORS = ", \t\r\n";

    private final String configDirectory;
    private final MainCf mainCf;
    private final Parameters parameters;

    private Primary(String configDirectory, MainCf mainCf, Parameters parameters) {
        this.configDirectory = configDirectory;
        this.mainCf = mainCf;
        this.parameters = parameters;
    }

    static Primary load(Host host, String configDirectory, ParamDefaults defaults) {
        MainCf mainCf = MainCf.read(host, configDirectory + "/main.cf");
        return new Primary(configDirectory, mainCf, Parameters.ownConfiguration(mainCf, configDirectory, defaults));
    }

    /** This primary if its main.cf is still what it was when read, else the primary read anew. */
    Primary current(Host host, ParamDefaults defaults) {
        return mainCf.unchanged(host, configDirectory + "/main.cf") ? this : load(host, configDirectory, defaults);
    }

    String configDirectory() {
        return configDirectory;
    }

    MainCf mainCf() {
        return mainCf;
    }

    Parameters parameters() {
        return parameters;
    }

    /** A parameter's value, fully expanded, as the C program's var_* globals hold it. */
    String value(String name) {
        return parameters.expanded(name);
    }

    List<String> secondaryDirectories() {
        return split(value("multi_instance_directories"));
    }

    /** The primary as an instance; in single-instance mode it counts as enabled. */
    Instance instance() {
        boolean singleInstance = secondaryDirectories().isEmpty();
        return new Instance(configDirectory, value("queue_directory"), value("data_directory"),
                Instance.emptyToNull(value("multi_instance_name")),
                Instance.emptyToNull(value("multi_instance_group")),
                singleInstance || MainCfChecks.bool(parameters, "multi_instance_enable"), true);
    }

    /**
     * What the C program reports while it reads the primary's main.cf, before it looks at its
     * command line: the reader's warnings (overridden entries, text before the first line),
     * then the checks every Postfix program makes ({@link MainCfChecks}).
     */
    void reportReading() {
        report(parameters, configDirectory);
    }

    private static void report(Parameters parameters, String configDirectory) {
        for (String warning : parameters.mainCf().warningsReadAs(configDirectory)) Msg.warn(warning);
        MainCfChecks.check(parameters);
    }

    /** smtputf8_enable: whether Postfix programs show UTF-8 in their messages as it is. */
    boolean utf8Enabled() {
        return MainCfChecks.bool(parameters, "smtputf8_enable");
    }

    /**
     * The directory without the slashes that end it, keeping a first character that is one (what
     * {@code replaceAll("(?<=.)/+$", "")} did, to the letter: the slashes may stand before one
     * last line terminator, and a line terminator before them keeps the first one).
     */
    private static String withoutTrailingSlashes(String directory) {
        int end = directory.length();
        if (end > 0 && isLineTerminator(directory.charAt(end - 1))) {
            end--;
            if (end > 0 && directory.charAt(end) == '\n' && directory.charAt(end - 1) == '\r') end--;
        }
        int start = end;
        while (start > 0 && directory.charAt(start - 1) == '/') start--;
        if (start == 0 || isLineTerminator(directory.charAt(start - 1))) start++;
        return start < end ? directory.substring(0, start) + directory.substring(end) : directory;
    }

    private static boolean isLineTerminator(char c) {
        return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }

    /**
     * Postfix's list syntax: elements separated by commas and/or white space (space, tab, CR,
     * LF; also VT and FF before the first element). By hand, as a start compiles no regular
     * expression (docs/PERFORMANCE.md).
     */
    static List<String> split(String list) {
        String text = list.strip();
        int start = 0;
        while (start < text.length() && (text.charAt(start) == ',' || MainCf.isSpace(text.charAt(start)))) start++;
        List<String> elements = new ArrayList<>();
        for (int end = start; end <= text.length(); end++) {
            if (end < text.length() && LIST_SEPARATORS.indexOf(text.charAt(end)) < 0) continue;
            if (end > start) elements.add(text.substring(start, end));
            start = end + 1;
        }
        return List.copyOf(elements);
    }

    boolean wordInList(String listParameter, String word) {
        return split(value(listParameter)).contains(word);
    }

    /** -c: a directory other than "/"; a relative one is taken from the current directory, trailing slashes dropped. */
    static String checkDirectoryOption(String directory) {
        if (directory.isEmpty()) throw new Fatal("Invalid primary configuration directory: empty pathname");
        String absolute = directory.startsWith("/") ? directory
                : Host.fromOs(Path.of("").toAbsolutePath().resolve(Host.toOs(directory)).normalize().toString());
        String trimmed = withoutTrailingSlashes(absolute);
        if (trimmed.equals("/"))
            throw new Fatal("Invalid primary configuration directory '" + directory + "': the root directory");
        return trimmed;
    }

    /**
     * Postfix programs we run must see the same primary: a different MAIL_CONFIG is refused.
     * The C program reads main.cf from MAIL_CONFIG, not from the primary, before it checks it:
     * so that main.cf, not the primary's, is reported on (unreadable, its warnings, the checks
     * of {@link MainCfChecks}) before the refusal, and this runs before the primary is read.
     * The C program accepts exactly the spelling /etc/postfix. With -c we accept that too (it
     * still names the default configuration directory, and every command we run gets its own
     * MAIL_CONFIG anyway), the -c directory, and another spelling of it, because postfix(1)
     * exports MAIL_CONFIG as it was told it, not as our -c spells it. An offline tree (--root)
     * runs no Postfix program, and this host's MAIL_CONFIG says nothing about it.
     */
    static void checkMailConfig(Host host, Map<String, String> environment, String configDirectory, ParamDefaults defaults) {
        String mailConfig = environment.get("MAIL_CONFIG");
        if (host.offline() || mailConfig == null) return;
        String directory = Host.fromOs(mailConfig);
        if (directory.equals(configDirectory) || directory.equals(DEFAULT_CONFIG_DIRECTORY)) return;
        boolean alternatePrimary = !configDirectory.equals(DEFAULT_CONFIG_DIRECTORY);
        if (alternatePrimary && sameDirectory(host, directory, configDirectory)) return;
        report(Parameters.ownConfiguration(MainCf.read(host, directory + "/main.cf"), directory, defaults), directory);
        throw new Fatal("Non-default configuration directory: MAIL_CONFIG=" + directory);
    }

    private static boolean sameDirectory(Host host, String one, String other) {
        try {
            return Files.isSameFile(host.path(one), host.path(other));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The shared directories must exist; command, daemon and shlib directories are claimed by the
     * primary. An offline tree (--root) need not hold them: a configuration repository has only
     * the configuration, and the programs are the target host's business.
     */
    void checkSharedDirectories(Host host, Claims claims) {
        for (String name : SHARED_DIRECTORIES) {
            String directory = value(name);
            if (!directory.startsWith("/")) continue;
            if (!host.offline()) checkIsDirectory(host, name, directory);
            if (!name.equals("meta_directory")) claims.claim(configDirectory, name, directory);
        }
    }

    private static void checkIsDirectory(Host host, String name, String directory) {
        try {
            if (!Files.readAttributes(host.path(directory), BasicFileAttributes.class).isDirectory())
                throw new Fatal(name + " = '" + directory + "' is not a directory");
        } catch (IOException e) {
            throw new Fatal(name + " = '" + directory + "': directory not found: " + Errno.text(e));
        }
    }

    /** Our mail log: the primary's postlog, or null when there is none to run. */
    Syslog syslog(Host host) {
        Path postlog = host.path(value("command_directory") + "/postlog");
        if (!Files.isRegularFile(postlog) || !Files.isExecutable(postlog)) return null;
        List<String> command = new ArrayList<>(List.of(postlog.toString()));
        if (!configDirectory().equals(DEFAULT_CONFIG_DIRECTORY)) {
            command.add("-c");
            command.add(Host.toOs(configDirectory()));
        }
        return Syslog.through(command, logTag());
    }

    /** mail_task(): syslog_name, then the program name. */
    private String logTag() {
        try {
            String name = value("syslog_name");
            return (name == null || name.isEmpty() ? "postfix" : name) + "/" + Msg.PROGRAM;
        } catch (Fatal unusable) {
            return "postfix/" + Msg.PROGRAM;
        }
    }
}
