import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks the command line exactly as the C program's getopt does ("+" mode: stop at the first
 * word that is not an option, "--" ends options, clustered flags, attached or separate values,
 * a value may itself start with "-"), handing each occurrence of an option (a {@link CliOption})
 * to the handler, in order. Our long options (--config-directory and friends) are extensions.
 *
 * <p>The first failure is kept rather than thrown: the C program reads main.cf and checks
 * MAIL_CONFIG before it parses options, so the caller reports it only after those checks.
 */
final class Getopt {
    private static final String USAGE = "Usage:" + Msg.PROGRAM + " -l [-v] [-a] [-g group] [-i instance] | "
            + Msg.PROGRAM + " -p [-v] [-a] [-g group] [-i instance] command... | "
            + Msg.PROGRAM + " -x [-v] [-a] [-i name] [-g group] command... | "
            + Msg.PROGRAM + " -e action [-v] [-a] [-i name] [-g group] [-I name] [-G group] [param=value ...]";

    /** What getopt left: the operands, or the complaint line and fatal error of the first failure. */
    record Outcome(List<String> operands, String complaint, RuntimeException failure) {
        void rethrow() {
            if (complaint != null) Msg.raw(complaint);
            if (failure != null) throw failure;
        }
    }

    private final Map<Character, CliOption> shortOptions = new HashMap<>();
    private final Map<String, CliOption> longOptions = new HashMap<>();
    private final CliOption.Handler handler;

    Getopt(List<CliOption> options, CliOption.Handler handler) {
        this.handler = handler;
        for (CliOption option : options) {
            for (String name : option.names()) {
                if (name.startsWith("--")) longOptions.put(name, option);
                else shortOptions.put(name.charAt(1), option);
            }
        }
    }

    static Fatal usage() {
        return new Fatal(USAGE);
    }

    Outcome walk(String[] args) {
        int index = 0;
        try {
            while (index < args.length && isOption(args[index])) {
                String arg = args[index++];
                if (arg.equals("--")) break;
                index = arg.startsWith("--") ? longOption(arg, args, index) : cluster(arg, args, index);
            }
        } catch (Complaint complaint) {
            return new Outcome(List.of(), complaint.line, usage());
        } catch (RuntimeException failure) {
            return new Outcome(List.of(), null, failure);
        }
        return new Outcome(Arrays.asList(args).subList(index, args.length), null, null);
    }

    private static boolean isOption(String arg) {
        return arg.length() > 1 && arg.charAt(0) == '-';
    }

    /** A cluster such as -lR or -ipostfix-out; returns the index of the next unread argument. */
    private int cluster(String arg, String[] args, int next) {
        for (int pos = 1; pos < arg.length(); pos++) {
            char letter = arg.charAt(pos);
            CliOption option = shortOptions.get(letter);
            if (option == null) throw new Complaint("invalid option -- '" + letter + "'");
            if (!option.takesValue()) {
                apply(option, null);
                continue;
            }
            if (pos + 1 < arg.length()) {
                apply(option, arg.substring(pos + 1));
                return next;
            }
            if (next >= args.length) throw new Complaint("option requires an argument -- '" + letter + "'");
            apply(option, args[next]);
            return next + 1;
        }
        return next;
    }

    private int longOption(String arg, String[] args, int next) {
        String[] nameAndValue = arg.split("=", 2);
        String name = nameAndValue[0];
        String attached = nameAndValue.length > 1 ? nameAndValue[1] : null;
        CliOption option = longOptions.get(name);
        if (option == null) throw new Complaint("invalid option -- '-'");
        if (!option.takesValue()) {
            if (attached != null) throw new Complaint("option '" + name + "' doesn't allow an argument");
            apply(option, null);
            return next;
        }
        if (attached != null) {
            apply(option, attached);
            return next;
        }
        if (next >= args.length) throw new Complaint("option '" + name + "' requires an argument");
        apply(option, args[next]);
        return next + 1;
    }

    private void apply(CliOption option, String value) {
        handler.handle(option, value);
    }

    /** getopt's own line ("postmulti: invalid option -- 'z'"), printed before the usage fatal. */
    private static final class Complaint extends RuntimeException {
        final String line;

        Complaint(String text) {
            super(text, null, false, false);
            this.line = Msg.PROGRAM + ": " + text;
        }
    }
}
