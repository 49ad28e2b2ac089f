import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Life-cycle mode, {@code -e init|create|import|deport|destroy|enable|disable|assign}, done in
 * this process. The C program does its checks and then hands the file work to the shell helper
 * postmulti-script, which runs postconf a dozen times; we do both parts here, in their order and
 * with their messages, and produce the same files. What we do differently:
 *
 * <ul>
 * <li>All the work is planned first ({@link ChangePlan}) and then committed all or nothing;
 * the helper script stops half way on the first failure.
 * <li>An action that will write holds {@link ConfigLock} from reading the primary main.cf and
 * the instance list (again) to the last change, so concurrent actions cannot lose each other's
 * instances. The lock lives outside the configuration, so a refused action writes nothing there.
 * <li>{@code -n}/{@code --dry-run} shows the plan as a unified diff and changes nothing.
 * </ul>
 *
 * <p>What the helper script and the commands it runs would say, we say in their words and
 * under their names ({@code postfix/postmulti-script: fatal: ...}, {@code mkdir: cannot
 * create directory ...}), as users of the C program see them on a terminal.
 *
 * <p>The wrapper that {@code -e init} writes is the C program's
 * {@code ${command_directory}/postmulti -p --}, also for an alternate primary ({@code -c DIR}):
 * postfix(1) calls multi_instance_wrapper only when it runs without {@code -c} and without
 * MAIL_CONFIG, i.e. for the default configuration directory (checked with Postfix 3.7.11:
 * {@code postfix -c DIR status} and {@code MAIL_CONFIG=DIR postfix status} run postfix-script
 * for DIR alone, whatever DIR's main.cf says), so a {@code -c DIR} in the wrapper would never
 * be used there, and would be wrong once a tree built elsewhere (an image build) is
 * installed as /etc/postfix. Where the wrapper must be another command (our tool installed
 * outside $command_directory, or a test harness), the environment variable
 * {@code POSTMULTI_WRAPPER} gives the value {@code -e init} writes instead.
 */
final class Lifecycle {
    static final String DEFAULT_WRAPPER = "${command_directory}/postmulti -p --";
    static final String WRAPPER_VARIABLE = "POSTMULTI_WRAPPER";
    /** The install parameters a new instance shares with the primary (the helper script's list, its order). */
    static final List<String> SHARED_PARAMETERS = List.of("command_directory", "daemon_directory", "meta_directory",
            "mail_owner", "setgid_group", "sendmail_path", "mailq_path", "newaliases_path", "html_directory",
            "manpage_directory", "sample_directory", "readme_directory", "shlib_directory");
    static final String STAGING = ".tmp";

    private final EditAction action;
    private final Request request;
    private final String configDirectory;
    private final Host host;
    private final ParamDefaults defaults;
    private final Map<String, String> environment;
    private final boolean dryRun;

    private Primary primary;
    private Claims claims;
    private ChangePlan plan;
    private PostfixControl control;

    /** What the command line asked of the action: -I, -G, the -i/-g/-a selection, and the operands. */
    record Request(String assignedName, String assignedGroup, Selection selection, List<String> words) {}

    private Lifecycle(EditAction action, Request request, Primary primary, Host host,
                      ParamDefaults defaults, Map<String, String> environment, boolean dryRun) {
        this.action = action;
        this.request = request;
        this.primary = primary;
        this.configDirectory = primary.configDirectory();
        this.host = host;
        this.defaults = defaults;
        this.environment = environment;
        this.dryRun = dryRun;
    }

    /**
     * Runs one action on the primary as just read; returns the exit status (failures are thrown
     * as {@link Fatal}).
     */
    static int run(EditAction action, Request request, Primary primary, Host host, ParamDefaults defaults,
                   Map<String, String> environment, PrintStream out, boolean dryRun) {
        return new Lifecycle(action, request, primary, host, defaults, environment, dryRun).run(out);
    }

    /**
     * Plans the action first without the lock, so that an action with nothing to do (an assign
     * of the name already there) takes no lock, and one that will write holds the lock no
     * longer than needed. What the first pass says is held back ({@link Msg#defer}): if it ends
     * with something to write, or with a refusal, the action is planned again under the lock
     * and that pass speaks, because what another action changed meanwhile counts. A refusal is
     * confirmed under the lock, too: read without it, the tree may be halfway through another
     * action's commit (an instance already unregistered while its files are being removed),
     * and a refusal read from that would be wrong. The lock lives outside the configuration
     * ({@link ConfigLock}), so a refusal still writes nothing there, as with the C program.
     */
    private int run(PrintStream out) {
        if (dryRun) {
            try (ConfigLock lock = ConfigLock.shared(host, configDirectory)) {
                plan();
                plan.printDryRun(out);
                return 0;
            }
        }
        if (nothingToDo()) return 0;
        try (ConfigLock lock = ConfigLock.exclusive(host, configDirectory)) {
            lock.requireHeld();
            plan();
            plan.commit(lock);
            return 0;
        }
    }

    /** The first pass: whether it ends with an empty plan (then its words are said). */
    private boolean nothingToDo() {
        boolean empty = false;
        Msg.defer();
        try {
            plan();
            empty = plan.isEmpty();
        } catch (Fatal refusal) {
            // said again, and for sure, under the lock
        } finally {
            if (empty) Msg.replay();
            else Msg.drop();
        }
        return empty;
    }

    /**
     * Reads the instances afresh (and the primary, when its main.cf has changed since it was
     * read), checks, and plans the action.
     */
    private void plan() {
        // A big primary main.cf is held several times over by a plan: let the first pass's go first.
        plan = null;
        primary = primary.current(host, defaults);
        claims = new Claims();
        primary.checkSharedDirectories(host, claims);
        plan = new ChangePlan(host);
        control = new PostfixControl(primary, host, environment);
        prepare();
    }

    private void prepare() {
        switch (action) {
            case INIT -> init();
            case CREATE, IMPORT -> add();
            case ASSIGN -> assign();
            case DESTROY, DEPORT -> remove();
            case ENABLE, DISABLE -> enable(action == EditAction.ENABLE);
        }
    }

    // ----------------------------------------------------------------- the actions

    private void init() {
        String wrapper = environment.get(WRAPPER_VARIABLE);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("multi_instance_wrapper", wrapper == null || wrapper.isEmpty() ? DEFAULT_WRAPPER : Host.fromOs(wrapper));
        settings.put("multi_instance_enable", "yes");
        editMainCf(primary.configDirectory(), primaryMainCf(), settings);
    }

    /** create and import: the C program's install_new_instance, then the helper's create|import. */
    private void add() {
        InstanceRegistry registry = InstanceRegistry.load(primary, host, defaults, claims);
        NameAssignment names = new NameAssignment(request.assignedName(), request.assignedGroup());
        names.check();
        Instance located = NewInstance.resolve(action, request.words(), names, primary, claims, host, defaults);
        NameAssignment.Outcome outcome = names.applyTo(located, claims);
        Instance added = outcome.instance();
        claims.claimInstance(added);
        List<Instance> secondaries = new ArrayList<>(registry.secondaries());
        insert(secondaries, added, request.selection());

        requireInit();
        String directory = added.configDirectory();
        boolean queueExisted = Files.isDirectory(host.path(added.queueDirectory()));
        if (isFile(directory + "/main.cf") && isFile(directory + "/master.cf")) {
            plan.removeLeftoverStaging(directory + "/" + STAGING);
            if (outcome.changed()) editMainCf(directory, plan.readIfFile(directory + "/main.cf"), outcome.settings());
        } else {
            installNewFiles(added, outcome);
        }
        updateDirectoryLists(secondaries, directory, false);
        setPermissions(added, queueExisted);
    }

    /** The helper script's stock main.cf and master.cf for an instance that lacks them. */
    private void installNewFiles(Instance added, NameAssignment.Outcome outcome) {
        String directory = added.configDirectory();
        if (action != EditAction.CREATE) {
            if (!isFile(directory + "/main.cf")) throw helperFatal("'" + directory + "' lacks a main.cf file");
            if (!isFile(directory + "/master.cf")) throw helperFatal("'" + directory + "' lacks a master.cf file");
        }
        String meta = primary.value("meta_directory");
        String mainProto = meta + "/main.cf.proto";
        String masterProto = meta + "/master.cf.proto";
        if (!isFile(mainProto)) throw helperFatal("Missing main.cf prototype: " + mainProto);
        if (!isFile(masterProto)) throw helperFatal("Missing master.cf prototype: " + masterProto);

        plan.makeDirectories(directory, 0755);
        plan.makeDirectories(added.queueDirectory(), 0755);
        plan.makeDirectories(added.dataDirectory(), 0700);

        byte[] mainCf = plan.readIfFile(mainProto);
        List<String> commentOut = new ArrayList<>();
        Map<String, String> cloned = new LinkedHashMap<>();
        for (String name : SHARED_PARAMETERS) {
            String value = primary.parameters().isExplicit(name) ? primary.parameters().raw(name) : "";
            if (value.isEmpty()) commentOut.add(name);
            else cloned.put(name, value);
        }
        if (!commentOut.isEmpty()) mainCf = MainCfEditor.commentOut(mainCf, commentOut);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("queue_directory", added.queueDirectory());
        settings.put("data_directory", added.dataDirectory());
        settings.put("authorized_submit_users", "");
        settings.put("master_service_disable", "inet");
        settings.putAll(cloned);
        mainCf = MainCfEditor.set(mainCf, settings);
        if (outcome.changed()) mainCf = MainCfEditor.set(mainCf, outcome.settings());

        plan.install(directory + "/" + STAGING, List.of(
                new ChangePlan.NewFile(directory + "/main.cf", mainCf, 0644, null).madeFrom(mainProto),
                new ChangePlan.NewFile(directory + "/master.cf", plan.readIfFile(masterProto), modeOf(masterProto), masterProto)
                        .madeFrom(masterProto)));
    }

    private void assign() {
        InstanceRegistry registry = InstanceRegistry.load(primary, host, defaults, claims);
        Instance target = selectExisting(registry, false);
        NameAssignment names = new NameAssignment(request.assignedName(), request.assignedGroup());
        names.check();
        NameAssignment.Outcome outcome = names.applyTo(target, claims);
        if (!outcome.changed()) return;
        requireInit();
        editMainCf(target.configDirectory(), instanceMainCf(target), outcome.settings());
    }

    private void remove() {
        InstanceRegistry registry = InstanceRegistry.load(primary, host, defaults, claims);
        Instance target = selectExisting(registry, true);
        List<Instance> secondaries = new ArrayList<>(registry.secondaries());
        secondaries.remove(target);
        requireInit();
        String directory = target.configDirectory();
        if (action == EditAction.DEPORT) {
            if (!isFile(directory + "/main.cf")) {
                updateDirectoryLists(secondaries, directory, false);
                return;
            }
            requireStopped(target);
            updateDirectoryLists(secondaries, directory, true);
            return;
        }
        if (!isFile(directory + "/main.cf")) throw helperFatal(directory + "/main.cf file not found");
        DestroyGuard.requireOwnDirectories(host, target, registry.all());
        requireStopped(target);
        updateDirectoryLists(secondaries, directory, false);
        Parameters settings = new Parameters(MainCf.parse(directory + "/main.cf", plan.readIfFile(directory + "/main.cf")),
                directory, defaults);
        // Offline (--root) no postfix starts, and none has anything to say.
        List<String> postfixNotice = host.offline() ? List.of() : PostfixControl.compatibilityNotice(settings);
        InstanceDestroyer.plan(plan, target, control.helperTag(), postfixNotice);
    }

    private void enable(boolean on) {
        InstanceRegistry registry = InstanceRegistry.load(primary, host, defaults, claims);
        Instance target = selectExisting(registry, false);
        requireInit();
        editMainCf(target.configDirectory(), instanceMainCf(target), Map.of("multi_instance_enable", on ? "yes" : "no"));
    }

    // ----------------------------------------------------------------- the C program's checks

    /** select_existing_instance: one instance by -i; for removal not the primary, not enabled. */
    private Instance selectExisting(InstanceRegistry registry, boolean forRemoval) {
        Selection selection = request.selection();
        if (selection.type() != Selection.Type.NAME) throw new Fatal("Select an instance via '-i name'");
        List<Instance> all = registry.all();
        int index = 0;
        while (index < all.size() && !selection.matches(all.get(index))) index++;
        if (index == all.size()) throw new Fatal("No instance named " + selection.name());
        Instance selected = all.get(index);
        if (forRemoval) {
            if (index == 0) throw new Fatal("Cannot remove the primary instance");
            if (selected.enabled()) throw new Fatal("Cannot remove enabled instances");
        }
        return selected;
    }

    /** insert_instance: before the first secondary the selection matches, first with -a, else last. */
    static void insert(List<Instance> secondaries, Instance added, Selection selection) {
        if (selection.type() != Selection.Type.NONE) {
            for (int i = 0; i < secondaries.size(); i++) {
                if (selection.matches(secondaries.get(i))) {
                    secondaries.add(i, added);
                    return;
                }
            }
            if (selection.type() != Selection.Type.ALL) throw new Fatal("No matching secondary instances");
        }
        secondaries.add(added);
    }

    /** The helper script's first check for every action but init. */
    private void requireInit() {
        if (primary.value("multi_instance_wrapper").isEmpty())
            throw helperFatal("multi_instance_wrapper is empty, run 'postmulti -e init' first.");
        if (!primary.value("multi_instance_enable").equals("yes"))
            throw helperFatal("multi_instance_enable!=yes, run 'postmulti -e init' first.");
    }

    private void requireStopped(Instance target) {
        if (control.running(target)) throw helperFatal("Instance '" + target.configDirectory() + "' is not stopped");
    }

    /** A refusal that the C program leaves to its helper script, in the helper's voice. */
    private Fatal helperFatal(String message) {
        return Fatal.fromHelper(control.helperTag(), message);
    }

    // ----------------------------------------------------------------- the helper script's edits

    /**
     * update_cfdirs: multi_instance_directories becomes the new list (space separated), and the
     * directory leaves alternate_config_directories (removal: joins it, for deport). That list is
     * split like the script's {@code IFS=" \t\n,"; set -- $alt}, and rewritten only when needed.
     */
    private void updateDirectoryLists(List<Instance> secondaries, String directory, boolean addToAlternates) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("multi_instance_directories",
                secondaries.stream().map(Instance::configDirectory).collect(Collectors.joining(" ")));
        StringBuilder keep = new StringBuilder();
        boolean found = false;
        for (String field : shellFields(primary.parameters().raw("alternate_config_directories"))) {
            if (field.equals(directory)) found = true;
            else keep.append(' ').append(field);
        }
        if (addToAlternates && !found) settings.put("alternate_config_directories", trim(keep + " " + directory));
        if (!addToAlternates && found) settings.put("alternate_config_directories", trim(keep.toString()));
        editMainCf(primary.configDirectory(), primaryMainCf(), settings);
    }

    /** postfix -c DIR set-permissions, after the lists are updated (post-install reads them). */
    private void setPermissions(Instance added, boolean queueExisted) {
        String description = control.describe(added.configDirectory(), "set-permissions");
        if (host.offline()) {
            // This host's postfix would set this host's owners on the tree: the target's job.
            plan.notice("skip " + description + " (--root)", () -> Msg.info("--root: skipped '" + description
                    + "'; run it on the target host before starting the instance"));
            return;
        }
        if (!control.available()) {
            plan.notice("skip " + description + " (no " + control.postfix() + ")", () -> Msg.warn("no "
                    + control.postfix() + ": skipped '" + description + "'; run it before starting the instance"));
            return;
        }
        Runnable undo = queueExisted ? null : () -> removeEmptyQueueSubdirectories(added.queueDirectory());
        plan.command(description, () -> control.setPermissions(added), undo);
    }

    /** Undo of set-permissions in a queue directory we made: its empty subdirectories go. */
    private void removeEmptyQueueSubdirectories(String queue) {
        for (String name : InstanceDestroyer.QUEUE_SUBDIRECTORIES) {
            Path sub = host.path(queue + "/" + name);
            try {
                if (Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS)) Files.delete(sub);
            } catch (IOException e) {
                // not empty or not ours: the directory stays, and so does the queue directory
            }
        }
    }

    /** postconf -c DIR -e: one edit of an instance's main.cf in the plan. */
    private void editMainCf(String directory, byte[] before, Map<String, String> settings) {
        String path = directory + "/main.cf";
        if (before == null) throw new Fatal("open " + path + ": No such file or directory");
        plan.edit(path, before, MainCfEditor.set(before, settings));
    }

    private byte[] primaryMainCf() {
        return plan.latest(primary.configDirectory() + "/main.cf", primary.mainCf().bytes());
    }

    private byte[] instanceMainCf(Instance target) {
        if (target.primary()) return primaryMainCf();
        return plan.readIfFile(target.configDirectory() + "/main.cf");
    }

    // ----------------------------------------------------------------- small helpers

    private boolean isFile(String path) {
        return Files.isRegularFile(host.path(path));
    }

    private int modeOf(String path) {
        try {
            return ((Integer) Files.getAttribute(host.path(path), "unix:mode")) & 07777;
        } catch (IOException | RuntimeException e) {
            return 0644;
        }
    }

    /** split_nameval's trimming of a value (Postfix's ISSPACE). */
    private static String trim(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && MainCf.isSpace(value.charAt(start))) start++;
        while (end > start && MainCf.isSpace(value.charAt(end - 1))) end--;
        return value.substring(start, end);
    }

    /**
     * POSIX field splitting with IFS = space, tab, newline and comma: white space around fields
     * is dropped, a comma ends a field (so ",a" and "a,,b" have empty fields), and a comma at the
     * end does not start one. (The shell would also expand glob characters; we do not.)
     */
    static List<String> shellFields(String text) {
        List<String> fields = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n && isIfsSpace(text.charAt(i))) i++;
        while (i < n) {
            int start = i;
            while (i < n && !isIfsSpace(text.charAt(i)) && text.charAt(i) != ',') i++;
            fields.add(text.substring(start, i));
            while (i < n && isIfsSpace(text.charAt(i))) i++;
            if (i < n && text.charAt(i) == ',') {
                i++;
                while (i < n && isIfsSpace(text.charAt(i))) i++;
            }
        }
        return fields;
    }

    private static boolean isIfsSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n';
    }
}
