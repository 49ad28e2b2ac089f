import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Default values of parameters that a main.cf does not set.
 *
 * <p>Where Postfix is installed, its own defaults are the right ones: distributions change the
 * compiled-in directories (Debian: daemon_directory /usr/lib/postfix/sbin, data_directory
 * /var/lib/postfix, ...), and only the installed postconf knows them. So {@link #load} asks
 * {@code postconf -d}, lazily, when a default is first needed, with MAIL_CONFIG removed from
 * its environment so that it cannot be pointed elsewhere; its answer is kept for the next runs
 * of the same binary ({@link PostconfCache}), so that usually no child process runs at all. Without a postconf, or when
 * it fails, we use upstream Postfix 3.7's compiled-in values for the parameters postmulti
 * needs ({@link #builtIn()}); those also fill names an older postconf does not know.
 *
 * <p>Values are byte strings (one char per byte), like every value in the tool. Note that
 * {@code postconf -d} prints values with white space runs folded to one space, and that a few
 * of Postfix's defaults (myhostname, mydomain) are computed; none of the names postmulti
 * uses is affected.
 */
final class ParamDefaults {
    private static final String POSTCONF_FALLBACK = "/usr/sbin/postconf";
    private static final int MAX_OUTPUT_BYTES = 4 << 20;
    private static final long TIMEOUT_SECONDS = 30;

    /** Upstream 3.7's compiled-in defaults (mail_params.h, postconf(5)) for what postmulti reads. */
    private static final Map<String, String> UPSTREAM = Map.ofEntries(
            Map.entry("config_directory", "/etc/postfix"),
            Map.entry("queue_directory", "/var/spool/postfix"),
            Map.entry("data_directory", "/var/db/postfix"),
            Map.entry("command_directory", "/usr/sbin"),
            Map.entry("daemon_directory", "/usr/libexec/postfix"),
            Map.entry("meta_directory", "/etc/postfix"),
            Map.entry("shlib_directory", "/usr/lib/postfix"),
            Map.entry("mail_owner", "postfix"),
            Map.entry("setgid_group", "postdrop"),
            Map.entry("sendmail_path", "/usr/sbin/sendmail"),
            Map.entry("mailq_path", "/usr/bin/mailq"),
            Map.entry("newaliases_path", "/usr/bin/newaliases"),
            Map.entry("html_directory", "no"),
            Map.entry("manpage_directory", "/usr/local/man"),
            Map.entry("sample_directory", "/etc/postfix"),
            Map.entry("readme_directory", "no"),
            Map.entry("multi_instance_directories", ""),
            Map.entry("multi_instance_name", ""),
            Map.entry("multi_instance_group", ""),
            Map.entry("multi_instance_enable", "no"),
            Map.entry("multi_instance_wrapper", ""),
            Map.entry("postmulti_start_commands", "start"),
            Map.entry("postmulti_stop_commands", "stop abort drain quick-stop"),
            Map.entry("postmulti_control_commands", "reload flush"),
            Map.entry("alternate_config_directories", ""),
            Map.entry("import_environment",
                    "MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ XAUTHORITY DISPLAY LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME"),
            Map.entry("syslog_name", "${multi_instance_name?{$multi_instance_name}:{postfix}}"),
            Map.entry("syslog_facility", "mail"),
            Map.entry("compatibility_level", "0"),
            Map.entry("smtputf8_enable", "${{$compatibility_level} <level {1} ? {no} : {yes}}"),
            Map.entry("mail_name", "Postfix"),
            Map.entry("mail_version", "3.7.11"));

    /** The postconf to ask when a default is first needed (null: none), and its cache (null: none). */
    private final Path postconf;
    private final PostconfCache cache;
    private Map<String, String> values;

    private ParamDefaults(Path postconf, PostconfCache cache) {
        this.postconf = postconf;
        this.cache = cache;
    }

    /** The installed Postfix's defaults when a postconf is found, else the built-in ones. */
    static ParamDefaults load(Map<String, String> environment) {
        Path postconf = findPostconf(environment);
        return postconf == null ? builtIn() : fromPostconf(postconf, PostconfCache.forCaller(environment));
    }

    /** This postconf's defaults, through the cache when there is one (null: none). */
    static ParamDefaults fromPostconf(Path postconf, PostconfCache cache) {
        return new ParamDefaults(postconf, cache);
    }

    static ParamDefaults builtIn() {
        return new ParamDefaults(null, null);
    }

    /** The default value of a parameter, or null when unknown. */
    String get(String name) {
        if (values == null) values = postconfDefaults();
        String value = values.get(name);
        return value != null ? value : UPSTREAM.get(name);
    }

    private Map<String, String> postconfDefaults() {
        if (postconf == null) return Map.of();
        return parse(cache == null ? askPostconf(postconf) : cachedOrAsk(postconf, cache));
    }

    private static String cachedOrAsk(Path postconf, PostconfCache cache) {
        String identity;
        try {
            identity = PostconfCache.identity(postconf);
        } catch (IOException unknown) {
            return askPostconf(postconf);
        }
        String output = cache.read(identity);
        if (output != null) return output;
        // Should the binary be replaced meanwhile, the new one's answer is filed under the old
        // identity, which never matches again: harmless.
        output = askPostconf(postconf);
        if (!output.isEmpty()) cache.write(identity, output);
        return output;
    }

    /** The first postconf on PATH, else the usual one when it is there; null: none. */
    static Path findPostconf(Map<String, String> environment) {
        String path = environment.get("PATH");
        if (path != null) {
            for (String directory : path.split(":")) {
                if (directory.isEmpty()) continue;
                Path candidate = Path.of(directory, "postconf");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
            }
        }
        Path fallback = Path.of(POSTCONF_FALLBACK);
        return Files.isExecutable(fallback) ? fallback : null;
    }

    /** postconf -d's output, or "" after a warning when it cannot be had. */
    private static String askPostconf(Path postconf) {
        ProcessBuilder builder = new ProcessBuilder(postconf.toString(), "-d")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().remove("MAIL_CONFIG");
        try {
            Process process = builder.start();
            byte[] output;
            try (InputStream in = process.getInputStream()) {
                output = in.readNBytes(MAX_OUTPUT_BYTES);
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return unusable(postconf, "timed out");
            }
            if (process.exitValue() != 0) return unusable(postconf, "exit status " + process.exitValue());
            return new String(output, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return unusable(postconf, Errno.text(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unusable(postconf, "interrupted");
        }
    }

    private static String unusable(Path postconf, String why) {
        Msg.warn(postconf + " -d: " + why + "; using built-in default values");
        return "";
    }

    /**
     * postconf -d output: one {@code name = value} (or {@code name =}) per line, in postconf's
     * spacing; a line without " =" after a name is left out, its name left to the fallback. A
     * plain scan, not main.cf's reader: it runs over a thousand lines at every start, before
     * anything is compiled, and the reader's generality cost three times as much there.
     */
    static Map<String, String> parse(String output) {
        Map<String, String> values = new HashMap<>(2048);
        int start = 0;
        while (start < output.length()) {
            int end = output.indexOf('\n', start);
            if (end < 0) end = output.length();
            int equals = output.indexOf(" =", start);
            if (equals > start && equals < end) values.put(output.substring(start, equals), value(output, equals + 2, end));
            start = end + 1;
        }
        return values;
    }

    private static String value(String output, int start, int end) {
        while (start < end && MainCf.isSpace(output.charAt(start))) start++;
        while (end > start && MainCf.isSpace(output.charAt(end - 1))) end--;
        return output.substring(start, end);
    }
}
