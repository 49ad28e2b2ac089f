import java.util.List;
import java.util.Locale;

/**
 * The checks every Postfix program makes on the main.cf it starts from (mail_conf_read), so
 * the C postmulti makes them on the primary's before it looks at its command line: the
 * compatibility level's syntax; the parameters it evaluates at once, where a bad $name
 * expansion is fatal ({@link Parameters#ownConfiguration}); string parameters that must not be
 * empty (or must have a set length); boolean parameters that must say yes or no. In the order
 * Postfix 3.7 makes them (found by breaking several at once and mending the one reported, in
 * turn), then postmulti's own parameters. Its checks of host names, numbers, times, accounts
 * and address lists are not here. A secondary's main.cf is read through postconf in the C
 * program, which makes none of these checks.
 */
final class MainCfChecks {
    /** A string parameter evaluated at startup, with its length bounds (0: no bound). */
    private record Length(String name, int min, int max) {
        static Length any(String name) {
            return new Length(name, 0, 0);
        }

        static Length nonEmpty(String name) {
            return new Length(name, 1, 0);
        }
    }

    private static final List<Length> FIRST_STRINGS = List.of(
            Length.nonEmpty("mail_version"), Length.nonEmpty("syslog_facility"), Length.any("inet_protocols"),
            Length.any("multi_instance_directories"), Length.any("multi_instance_group"), Length.any("multi_instance_name"));
    private static final List<String> FIRST_BOOLEANS = List.of(
            "daemon_table_open_error_is_fatal", "dns_ncache_ttl_fix_enable", "smtputf8_enable",
            "enable_idna2003_compatibility", "respectful_logging");
    private static final List<Length> STRINGS = List.of(
            Length.nonEmpty("myhostname"), Length.nonEmpty("mydomain"),
            Length.nonEmpty("mail_name"), Length.nonEmpty("syslog_name"), Length.nonEmpty("mail_owner"),
            Length.nonEmpty("setgid_group"), Length.any("mydestination"), Length.nonEmpty("myorigin"),
            Length.any("relayhost"), Length.nonEmpty("daemon_directory"), Length.nonEmpty("data_directory"),
            Length.nonEmpty("command_directory"), Length.nonEmpty("queue_directory"),
            Length.nonEmpty("process_id_directory"), Length.any("inet_interfaces"), Length.any("proxy_interfaces"),
            Length.nonEmpty("double_bounce_sender"), Length.nonEmpty("default_privs"), Length.any("alias_database"),
            Length.nonEmpty("mail_release_date"), Length.nonEmpty("default_database_type"),
            Length.nonEmpty("hash_queue_names"), Length.any("recipient_delimiter"), Length.any("relay_domains"),
            Length.any("fast_flush_domains"), Length.any("export_environment"), Length.any("import_environment"),
            Length.nonEmpty("mynetworks_style"), Length.any("debug_peer_list"),
            new Length("default_verp_delimiters", 2, 2), Length.nonEmpty("verp_delimiter_filter"),
            Length.any("parent_domain_matches_subdomains"), Length.any("alternate_config_directories"),
            Length.nonEmpty("bounce_service_name"), Length.nonEmpty("cleanup_service_name"),
            Length.nonEmpty("defer_service_name"), Length.nonEmpty("pickup_service_name"),
            Length.nonEmpty("queue_service_name"), Length.nonEmpty("rewrite_service_name"),
            Length.nonEmpty("showq_service_name"), Length.nonEmpty("error_service_name"),
            Length.nonEmpty("flush_service_name"), Length.nonEmpty("address_verify_service_name"),
            Length.nonEmpty("trace_service_name"), Length.nonEmpty("proxymap_service_name"),
            Length.nonEmpty("proxywrite_service_name"), Length.any("internal_mail_filter_classes"),
            Length.any("multi_instance_wrapper"));
    private static final List<String> BOOLEANS = List.of(
            "disable_dns_lookups", "soft_bounce", "owner_request_special", "strict_8bitmime",
            "strict_7bit_headers", "strict_8bitmime_body", "strict_mime_encoding_domain",
            "disable_mime_input_processing", "disable_mime_output_conversion", "address_verify_negative_cache",
            "backwards_bounce_logfile_compatibility", "helpful_warnings", "send_cyrus_sasl_authzid",
            "multi_instance_enable", "enable_long_queue_ids", "strict_smtputf8", "enable_original_recipient");
    /** postmulti's own, read once main.cf is. */
    private static final List<Length> POSTMULTI_STRINGS = List.of(
            Length.any("postmulti_start_commands"), Length.any("postmulti_stop_commands"),
            Length.any("postmulti_control_commands"));

    private MainCfChecks() {
    }

    /** The first failing check is fatal, in the C program's words. */
    static void check(Parameters parameters) {
        String level = parameters.expanded("compatibility_level");
        if (level != null) Expander.checkCompatibilityLevel(level);
        for (Length length : FIRST_STRINGS) checkLength(parameters, length);
        for (String name : FIRST_BOOLEANS) bool(parameters, name);
        for (Length length : STRINGS) checkLength(parameters, length);
        for (String name : BOOLEANS) bool(parameters, name);
        for (Length length : POSTMULTI_STRINGS) checkLength(parameters, length);
    }

    /** A boolean parameter's value, yes or no in any case; anything else is fatal. */
    static boolean bool(Parameters parameters, String name) {
        String value = parameters.expanded(name);
        if (value == null) return false;
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new Fatal("bad boolean configuration: " + name + " = " + value);
        };
    }

    private static void checkLength(Parameters parameters, Length length) {
        String value = parameters.expanded(length.name());
        if (value == null) return;
        if (length.min() > 0 && value.length() < length.min())
            throw new Fatal("bad string length " + value.length() + " < " + length.min() + ": " + length.name() + " = " + value);
        if (length.max() > 0 && value.length() > length.max())
            throw new Fatal("bad string length " + value.length() + " > " + length.max() + ": " + length.name() + " = " + value);
    }
}
