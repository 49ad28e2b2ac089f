import java.util.List;
import java.util.Locale;

/**
 * The checks every Postfix program makes on the main.cf it starts from (mail_conf_read), so
 * the C postmulti makes them on the primary's before it looks at its command line: string
 * parameters that must not be empty (or must have a set length), and boolean parameters that
 * must say yes or no. Only the length and boolean checks are here, in the order Postfix 3.7
 * makes them (found by breaking all of them at once and mending the one reported, in turn);
 * its checks of host names, numbers, times and accounts are not. A secondary's main.cf is
 * read through postconf in the C program, which makes none of these checks.
 */
final class MainCfChecks {
    /** A string parameter's length bounds (0: no bound). */
    private record Length(String name, int min, int max) {
    }

    private static final List<Length> FIRST_LENGTHS = List.of(
            new Length("mail_version", 1, 0), new Length("syslog_facility", 1, 0));
    private static final List<String> FIRST_BOOLEANS = List.of(
            "daemon_table_open_error_is_fatal", "dns_ncache_ttl_fix_enable", "smtputf8_enable",
            "enable_idna2003_compatibility", "respectful_logging");
    private static final List<Length> LENGTHS = List.of(
            new Length("myhostname", 1, 0), new Length("mydomain", 1, 0),
            new Length("mail_name", 1, 0), new Length("syslog_name", 1, 0),
            new Length("mail_owner", 1, 0), new Length("setgid_group", 1, 0),
            new Length("myorigin", 1, 0), new Length("daemon_directory", 1, 0),
            new Length("data_directory", 1, 0), new Length("command_directory", 1, 0),
            new Length("queue_directory", 1, 0), new Length("process_id_directory", 1, 0),
            new Length("double_bounce_sender", 1, 0), new Length("default_privs", 1, 0),
            new Length("mail_release_date", 1, 0), new Length("default_database_type", 1, 0),
            new Length("hash_queue_names", 1, 0), new Length("mynetworks_style", 1, 0),
            new Length("default_verp_delimiters", 2, 2), new Length("verp_delimiter_filter", 1, 0),
            new Length("bounce_service_name", 1, 0), new Length("cleanup_service_name", 1, 0),
            new Length("defer_service_name", 1, 0), new Length("pickup_service_name", 1, 0),
            new Length("queue_service_name", 1, 0), new Length("rewrite_service_name", 1, 0),
            new Length("showq_service_name", 1, 0), new Length("error_service_name", 1, 0),
            new Length("flush_service_name", 1, 0), new Length("address_verify_service_name", 1, 0),
            new Length("trace_service_name", 1, 0), new Length("proxymap_service_name", 1, 0),
            new Length("proxywrite_service_name", 1, 0));
    private static final List<String> BOOLEANS = List.of(
            "disable_dns_lookups", "soft_bounce", "owner_request_special", "strict_8bitmime",
            "strict_7bit_headers", "strict_8bitmime_body", "strict_mime_encoding_domain",
            "disable_mime_input_processing", "disable_mime_output_conversion", "address_verify_negative_cache",
            "backwards_bounce_logfile_compatibility", "helpful_warnings", "send_cyrus_sasl_authzid",
            "multi_instance_enable", "enable_long_queue_ids", "strict_smtputf8", "enable_original_recipient");

    private MainCfChecks() {
    }

    /** The first failing check is fatal, in the C program's words. */
    static void check(Parameters parameters) {
        FIRST_LENGTHS.forEach(length -> checkLength(parameters, length));
        FIRST_BOOLEANS.forEach(name -> bool(parameters, name));
        LENGTHS.forEach(length -> checkLength(parameters, length));
        BOOLEANS.forEach(name -> bool(parameters, name));
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
