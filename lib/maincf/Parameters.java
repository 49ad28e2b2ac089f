import java.util.Set;
import java.util.function.Function;

/**
 * One instance's parameters, as {@code postconf -c DIR} sees them: the value set in its
 * main.cf, else the default. config_directory defaults to the instance's own directory; like
 * postconf, an explicit config_directory in main.cf wins over it.
 */
final class Parameters {
    private static final String CONFIG_DIRECTORY = "config_directory";
    /**
     * Parameters whose value Postfix expands only when it uses them, with names of its own
     * ($home, $rbl_code, ...): {@code postconf -x} prints them as they are, though a reference to
     * one from another value is expanded (Postfix 3.7's raw parameters, found by setting every
     * parameter to a reference and asking postconf -x).
     */
    static final Set<String> RAW = Set.of("command_execution_directory", "default_rbl_reply", "forward_path",
            "luser_relay", "mailbox_command", "postscreen_expansion_filter", "postscreen_reject_footer",
            "smtpd_expansion_filter", "smtpd_reject_footer");
    /** Values of the running program: postconf ignores a main.cf setting of them ("read-only parameter assignment"). */
    static final Set<String> READ_ONLY = Set.of("process_id", "process_name", "service_name");

    private final MainCf mainCf;
    private final String configDirectory;
    private final ParamDefaults defaults;
    private final boolean ownConfiguration;
    /** {@link #raw} as the expander's lookup: a class of its own, as no lambda is linked on the way to -l's output (docs/PERFORMANCE.md). */
    private final Function<String, String> rawLookup = new Function<>() {
        @Override
        public String apply(String name) {
            return raw(name);
        }
    };

    /** Another instance's parameters, as postconf reads them: a bad value is fatal, naming where it is. */
    Parameters(MainCf mainCf, String configDirectory, ParamDefaults defaults) {
        this(mainCf, configDirectory, defaults, false);
    }

    private Parameters(MainCf mainCf, String configDirectory, ParamDefaults defaults, boolean ownConfiguration) {
        this.mainCf = mainCf;
        this.configDirectory = configDirectory;
        this.defaults = defaults;
        this.ownConfiguration = ownConfiguration;
    }

    /**
     * The parameters a Postfix program reads as its own configuration (mail_conf_read): there a
     * bad $name expansion is a warning saying what is wrong, and then the fatal error
     * "dictionary mail_dict: macro processing error", as from the C postmulti.
     */
    static Parameters ownConfiguration(MainCf mainCf, String configDirectory, ParamDefaults defaults) {
        return new Parameters(mainCf, configDirectory, defaults, true);
    }

    MainCf mainCf() {
        return mainCf;
    }

    /** The unexpanded value: explicit, else default; null when the name is unknown. */
    String raw(String name) {
        if (mainCf.isSet(name) && !READ_ONLY.contains(name)) return mainCf.raw(name);
        if (name.equals(CONFIG_DIRECTORY)) return configDirectory;
        return defaults.get(name);
    }

    boolean isExplicit(String name) {
        return mainCf.isSet(name);
    }

    /**
     * The value with $name references expanded recursively, like {@code postconf -xh name}
     * (a {@link #RAW} parameter's value as it is); null when the name is unknown. A malformed
     * value is fatal, naming where it is defined.
     */
    String expanded(String name) {
        String value = raw(name);
        if (value == null || RAW.contains(name)) return value;
        try {
            return Expander.expand(value, rawLookup);
        } catch (Expander.MacroError e) {
            if (!ownConfiguration) throw new Fatal(whereDefined(e.parameter() == null ? name : e.parameter()) + e.getMessage());
            throw Fatal.afterWarning(e.getMessage(), "dictionary mail_dict: macro processing error");
        }
    }

    private String whereDefined(String name) {
        MainCf.Definition definition = mainCf.definition(name);
        if (definition != null)
            return mainCf.displayName() + ", line " + definition.line() + ": parameter " + name + ": ";
        return "default value of parameter " + name + ": ";
    }
}
