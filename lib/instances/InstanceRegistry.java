import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The primary and the secondaries named in its multi_instance_directories, in start order.
 * Each secondary's settings are read from its own main.cf in this process (the C program runs
 * one postconf per instance), and every name and directory is claimed as the C program does.
 *
 * <p>Two ways to load. {@link #load} is the C program's: the first damaged secondary (main.cf
 * missing, unreadable or invalid, a bad multi_instance_enable, a claim that conflicts with an
 * earlier instance's) is fatal; life-cycle actions use it, since they rewrite the instance list
 * and must see all of it. {@link #loadSkippingDamaged} is for -l, -p and -x: a damaged secondary
 * is set aside as {@link Damage} and the others are kept, so that one broken instance does not
 * keep every other from starting. A secondary whose claims conflict with an earlier instance's
 * is damaged too, and the earlier one keeps its claims: two instances that share a queue
 * directory must never both run, and the earlier one is the one the admin had working.
 */
final class InstanceRegistry {
    /** A secondary that was left out, and why. */
    record Damage(String configDirectory, String problem) {
        /** The report line (after "postmulti: error: "). */
        String report() {
            return "instance " + configDirectory + " skipped: " + problem;
        }
    }

    /**
     * What a secondary's main.cf says, fully expanded, before the enable flag is checked: what
     * the C program reads from {@code postconf -xc DIR name...}, whose output has each run of
     * blanks (space, tab, CR) in a value squeezed to one space, leading and trailing ones gone.
     */
    private record Settings(String configDirectory, String queueDirectory, String dataDirectory,
                            String name, String group, String enable) {

        static Settings read(Primary primary, Host host, String configDirectory, ParamDefaults defaults) {
            MainCf mainCf = MainCf.read(host, configDirectory + "/main.cf");
            reportAsPostconf(primary, host, configDirectory, mainCf);
            Parameters parameters = new Parameters(mainCf, configDirectory, defaults);
            return new Settings(configDirectory,
                    postconfValue(parameters, "queue_directory"),
                    postconfValue(parameters, "data_directory"),
                    postconfValue(parameters, "multi_instance_name"),
                    postconfValue(parameters, "multi_instance_group"),
                    postconfValue(parameters, "multi_instance_enable"));
        }

        private static String postconfValue(Parameters parameters, String name) {
            return foldBlanks(parameters.expanded(name)).strip();
        }

        /** Each run of blanks (space, tab, CR) as one space; by hand, as a start compiles no regular expression. */
        private static String foldBlanks(String value) {
            StringBuilder folded = new StringBuilder(value.length());
            boolean inBlanks = false;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == ' ' || c == '\t' || c == '\r') {
                    inBlanks = true;
                    continue;
                }
                if (inBlanks) folded.append(' ');
                inBlanks = false;
                folded.append(c);
            }
            if (inBlanks) folded.append(' ');
            return folded.toString();
        }

        /**
         * The warnings the C program's postconf child prints (on stderr, terminal or not) while
         * it reads the instance: those of main.cf, and a master.cf it cannot open. They carry
         * that child's name, {@code $command_directory/postconf}, as they do under the C program.
         */
        private static void reportAsPostconf(Primary primary, Host host, String configDirectory, MainCf mainCf) {
            String postconf = postconf(primary);
            for (String warning : mainCf.warningsReadAs(configDirectory)) Msg.postconfLine(postconf, "warning", warning);
            try {
                Files.newInputStream(host.path(configDirectory + "/master.cf")).close();
            } catch (NoSuchFileException | AccessDeniedException e) {
                Msg.postconfLine(postconf, "warning", "open " + configDirectory + "/master.cf: " + Errno.text(e));
            } catch (IOException e) {
                // a master.cf that opens but cannot be read (a directory) is not postmulti's business
            }
        }

        Instance instance() {
            return new Instance(configDirectory, queueDirectory, dataDirectory,
                    Instance.emptyToNull(name), Instance.emptyToNull(group), enabled(), false);
        }

        private boolean enabled() {
            return switch (enable.toLowerCase(Locale.ROOT)) {
                case "yes" -> true;
                case "no" -> false;
                default -> throw new Fatal("Unexpected " + configDirectory + "/main.cf entry: multi_instance_enable = " + enable);
            };
        }
    }

    private final List<Instance> instances;
    private final List<Damage> damage;

    private InstanceRegistry(List<Instance> instances, List<Damage> damage) {
        this.instances = List.copyOf(instances);
        this.damage = List.copyOf(damage);
    }

    /** Every secondary must be sound: the first problem is fatal, as in the C program. */
    static InstanceRegistry load(Primary primary, Host host, ParamDefaults defaults, Claims claims) {
        List<Instance> instances = new ArrayList<>();
        instances.add(claimed(primary.instance(), claims));
        for (String directory : primary.secondaryDirectories()) {
            instances.add(claimed(loadSecondary(primary, host, directory, defaults), claims));
        }
        return new InstanceRegistry(instances, List.of());
    }

    /** Damaged secondaries are left out and listed in {@link #damage()}; the primary must be sound. */
    static InstanceRegistry loadSkippingDamaged(Primary primary, Host host, ParamDefaults defaults, Claims claims) {
        List<Instance> instances = new ArrayList<>();
        List<Damage> damage = new ArrayList<>();
        instances.add(claimed(primary.instance(), claims));
        for (String directory : primary.secondaryDirectories()) {
            String problem;
            try {
                Instance secondary = Settings.read(primary, host, directory, defaults).instance();
                problem = claims.claimInstanceOrExplain(secondary);
                if (problem == null) instances.add(secondary);
            } catch (Fatal unusable) {
                problem = unusable.getMessage();
            }
            if (problem != null) damage.add(new Damage(directory, problem));
        }
        return new InstanceRegistry(instances, damage);
    }

    private static Instance claimed(Instance instance, Claims claims) {
        claims.claimInstance(instance);
        return instance;
    }

    /**
     * Reads one secondary's queue/data directories, name, group and enable flag from its main.cf.
     * As in the C program, which has the primary's {@code $command_directory/postconf} read
     * them: first what went wrong (a file that postconf cannot read, in postconf's words; else
     * a warning of ours), then the fatal error that the parameters could not be obtained.
     */
    /** The program the C program runs to read a secondary: the primary's postconf. */
    private static String postconf(Primary primary) {
        return primary.value("command_directory") + "/postconf";
    }

    static Instance loadSecondary(Primary primary, Host host, String configDirectory, ParamDefaults defaults) {
        Settings settings;
        try {
            settings = Settings.read(primary, host, configDirectory, defaults);
        } catch (MainCf.Unreadable unreadable) {
            Msg.postconfLine(postconf(primary), "fatal", unreadable.getMessage());
            throw new Fatal("Failed to obtain all required " + configDirectory + "/main.cf parameters");
        } catch (Fatal unusable) {
            Msg.warn(unusable.getMessage());
            throw new Fatal("Failed to obtain all required " + configDirectory + "/main.cf parameters");
        }
        return settings.instance();
    }

    /** Reports each damaged secondary on stderr (and the log); returns whether there was any. */
    boolean reportDamage() {
        for (Damage each : damage) Msg.error(each.report());
        return !damage.isEmpty();
    }

    List<Instance> all() {
        return instances;
    }

    List<Instance> secondaries() {
        return instances.subList(1, instances.size());
    }

    List<Instance> iterationOrder(boolean reverse) {
        if (!reverse) return instances;
        List<Instance> reversed = new ArrayList<>(instances);
        Collections.reverse(reversed);
        return reversed;
    }
}
