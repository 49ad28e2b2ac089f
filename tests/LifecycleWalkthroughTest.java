import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commands of MULTI_INSTANCE_README, run as written with our tool (a separate process, as an
 * admin runs it) in place of postmulti, against a test tree given with {@code -c}. The tree's
 * command directory holds a fake postfix that logs how it was called (see {@link FixtureTree});
 * {@code -x postconf} is the installed postconf, found on PATH.
 */
class LifecycleWalkthroughTest {
    private FixtureTree tree;

    @BeforeEach
    void create() {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/postconf")), "postconf not installed");
        tree = FixtureTree.create("");
    }

    @AfterEach
    void remove() {
        if (tree != null) tree.close();
    }

    private void ok(String... args) {
        Tool.Result result = tree.ours(args);
        assertEquals(0, result.status(), String.join(" ", args) + ": " + result.both());
        assertEquals("", result.err(), String.join(" ", args));
    }

    private String line(String name, String group, String enabled, String dir) {
        return String.format("%-15s %-15s %-9s %s", name, group, enabled, dir);
    }

    @Test
    void borderMtaWalkthrough() {
        // "Just once, when adding the first secondary instance, enable multi-instance support"
        ok("-e", "init");
        ok("-I", "postfix-out", "-G", "mta", "-e", "create");
        String out = tree.etc("postfix-out");
        assertEquals(List.of(line("-", "-", "y", tree.primary.toString()), line("postfix-out", "mta", "n", out)), tree.list());
        String text = tree.mainCf(out);
        assertEquals(tree.spool("postfix-out"), FixtureTree.setting(text, "queue_directory"));
        assertEquals(tree.lib("postfix-out"), FixtureTree.setting(text, "data_directory"));
        assertEquals("inet", FixtureTree.setting(text, "master_service_disable"));

        ok("-i", "postfix-out", "-x", "postconf", "-e", "master_service_disable =", "authorized_submit_users = root");
        ok("-i", "postfix-out", "-e", "enable");
        ok("-i", "postfix-out", "-p", "start");
        text = tree.mainCf(out);
        assertEquals("", FixtureTree.setting(text, "master_service_disable"));
        assertEquals("root", FixtureTree.setting(text, "authorized_submit_users"));
        assertEquals("yes", FixtureTree.setting(text, "multi_instance_enable"));

        ok("-I", "postfix-in", "-G", "mta", "-e", "create");
        String in = tree.etc("postfix-in");
        ok("-i", "postfix-in", "-x", "postconf", "-e", "master_service_disable =", "authorized_submit_users = root");
        ok("-i", "postfix-in", "-e", "enable");
        ok("-i", "postfix-in", "-p", "start");
        assertEquals(List.of(line("-", "-", "y", tree.primary.toString()), line("postfix-out", "mta", "y", out),
                line("postfix-in", "mta", "y", in)), tree.list());

        ok("-i", "-", "-p", "stop");
        ok("-g", "mta", "-p", "status");
        ok("-i", "postfix-out", "-p", "flush");
        ok("-i", "postfix-in", "-p", "reload");
        List<String> calls = tree.postfixLog().stream().map(l -> l.substring(0, l.indexOf(" config_directory="))).toList();
        assertEquals(List.of(
                "-c " + out + " set-permissions | MAIL_CONFIG=" + tree.primary,
                "-- start | MAIL_CONFIG=" + out,
                "-c " + in + " set-permissions | MAIL_CONFIG=" + tree.primary,
                "-- start | MAIL_CONFIG=" + in,
                "-- stop | MAIL_CONFIG=" + tree.primary,
                "-- status | MAIL_CONFIG=" + out,
                "-- status | MAIL_CONFIG=" + in,
                "-- flush | MAIL_CONFIG=" + out,
                "-- reload | MAIL_CONFIG=" + in), calls);
    }

    @Test
    void managingInstances() {
        ok("-e", "init");
        // "To create a new instance just use the -e create option"
        ok("-I", "postfix-myinst", "-G", "mygroup", "-e", "create");
        String myinst = tree.etc("postfix-myinst");
        ok("-i", "postfix-myinst", "-e", "enable");
        // (-p stop skips disabled instances: on a disabled one it finds "No matching instances", as the C program does.)
        // "If you no longer need an instance, you can destroy it via:"
        ok("-i", "postfix-myinst", "-p", "stop");
        ok("-i", "postfix-myinst", "-e", "disable");
        ok("-i", "postfix-myinst", "-e", "destroy");
        assertFalse(Files.exists(Path.of(myinst)));
        assertFalse(Files.exists(Path.of(tree.spool("postfix-myinst"))));
        assertFalse(Files.exists(Path.of(tree.lib("postfix-myinst"))));
        assertEquals(1, tree.list().size());

        // Explicit installation parameters.
        ok("-I", "postfix-myinst", "-G", "mygroup", "-e", "create", "config_directory = " + tree.path("conf/myinst"),
                "queue_directory = " + tree.path("queue/myinst"), "data_directory = " + tree.path("data/myinst"));
        assertEquals(line("postfix-myinst", "mygroup", "n", tree.path("conf/myinst")), tree.list().get(1));
        ok("-i", "postfix-myinst", "-e", "enable");

        // "You can "deport" an existing instance from the list of managed instances."
        ok("-i", "postfix-myinst", "-p", "stop");
        ok("-i", "postfix-myinst", "-e", "disable");
        ok("-i", "postfix-myinst", "-e", "deport");
        assertEquals(1, tree.list().size());
        assertTrue(Files.exists(Path.of(tree.path("conf/myinst"), "main.cf")));
        assertEquals(tree.path("conf/myinst"), FixtureTree.setting(tree.primaryMainCf(), "alternate_config_directories"));

        // "you must specify the location of its configuration directory"
        ok("-I", "postfix-old", "-G", "mygroup", "-e", "import", "config_directory = " + tree.path("conf/myinst"));
        assertEquals(line("postfix-old", "mygroup", "n", tree.path("conf/myinst")), tree.list().get(1));
        assertEquals("", FixtureTree.setting(tree.primaryMainCf(), "alternate_config_directories"));

        // "You can assign a new name or new group to a managed instance."
        ok("-i", "postfix-old", "-I", "postfix-new", "-G", "newgroup", "-e", "assign");
        assertEquals(line("postfix-new", "newgroup", "n", tree.path("conf/myinst")), tree.list().get(1));
        ok("-i", "postfix-new", "-e", "enable");
        ok("-i", "postfix-new", "-e", "disable");

        // An instance that already uses the naming scheme is imported by name.
        tree.secondary("postfix-byname", null, null, false, "");
        ok("-I", "postfix-byname", "-e", "import");
        assertEquals(line("postfix-byname", "-", "n", tree.etc("postfix-byname")), tree.list().get(2));
    }
}
