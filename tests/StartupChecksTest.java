import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What our tool checks on the primary before it looks at its command line, in this JVM (so that
 * bench/mutation.sh sees it; LifecycleDifferentialTest and OptionsDifferentialTest compare the
 * same with the real postmulti through child JVMs): MAIL_CONFIG, a relative {@code -c}, the
 * primary's own main.cf checks, and UTF-8 in messages as smtputf8_enable says.
 */
class StartupChecksTest {
    @Test
    void mailConfigNamingAnotherDirectoryIsRefusedAfterItsMainCfIsChecked() {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            String other = tree.secondary("postfix-other", null, null, false, "");
            FixtureTree.Run refused = tree.run(Map.of("MAIL_CONFIG", other), "-l");
            assertEquals(1, refused.status(), refused::both);
            assertEquals("postmulti: fatal: Non-default configuration directory: MAIL_CONFIG=" + other + "\n", refused.err());

            String missing = tree.etc("missing");
            FixtureTree.Run notThere = tree.run(Map.of("MAIL_CONFIG", missing), "-l");
            assertEquals(1, notThere.status(), notThere::both);
            assertEquals("postmulti: fatal: open " + missing + "/main.cf: No such file or directory\n", notThere.err());

            TestFiles.write(Path.of(other, "main.cf"), "smtputf8_enable = maybe\n");
            FixtureTree.Run checked = tree.run(Map.of("MAIL_CONFIG", other), "-l");
            assertEquals(1, checked.status(), checked::both);
            assertEquals("postmulti: fatal: bad boolean configuration: smtputf8_enable = maybe\n", checked.err(),
                    "MAIL_CONFIG's main.cf is read and checked before the refusal");
        }
    }

    @Test
    void mailConfigNamingThePrimaryOrTheDefaultIsAccepted() throws IOException {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            Path link = tree.root.resolve("etc/primary-link");
            Files.createSymbolicLink(link, tree.primary);
            for (String mailConfig : new String[] {tree.primary.toString(), Primary.DEFAULT_CONFIG_DIRECTORY, link.toString()}) {
                FixtureTree.Run run = tree.run(Map.of("MAIL_CONFIG", mailConfig), "-l");
                assertEquals(0, run.status(), mailConfig + ": " + run.both());
                assertEquals("-               -               y         " + tree.primary + "\n", run.out(), mailConfig);
            }
        }
    }

    /** An offline tree runs no Postfix program: this host's MAIL_CONFIG says nothing about it. */
    @Test
    void mailConfigIsNoConcernOfAnOfflineTree() {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            String other = tree.secondary("postfix-other", null, null, false, "");
            FixtureTree.Run run = InProcess.run(Map.of("MAIL_CONFIG", other), "--root", tree.root.toString(), "-l");
            assertEquals(0, run.status(), run::both);
        }
    }

    /** A relative -c is taken from the current directory. */
    @Test
    void aRelativeConfigDirectoryIsTakenFromTheCurrentDirectory() {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            String relative = Path.of("").toAbsolutePath().relativize(tree.primary).toString();
            assertTrue(!relative.startsWith("/"), relative);
            FixtureTree.Run run = InProcess.run("-c", relative + "/", "-l");
            assertEquals(0, run.status(), run::both);
            assertEquals("-               -               y         " + tree.primary + "\n", run.out());
        }
    }

    /** The checks every Postfix program makes on its main.cf are made on the primary's. */
    @Test
    void aBadBooleanInThePrimaryStopsEveryMode() {
        try (FixtureTree tree = FixtureTree.initialized("smtputf8_enable = maybe\n")) {
            FixtureTree.Run run = tree.run("-l");
            assertEquals(1, run.status(), run::both);
            assertEquals("postmulti: fatal: bad boolean configuration: smtputf8_enable = maybe\n", run.err());
            assertEquals("", run.out());
        }
    }

    /** Messages show UTF-8 as it is when the primary's smtputf8_enable is yes, else each byte above 126 as '?'. */
    @Test
    void utf8InMessagesFollowsSmtputf8Enable() {
        String name = Host.fromOs("postfix-\u00e4");
        try (FixtureTree tree = FixtureTree.initialized("smtputf8_enable = yes\n")) {
            assertEquals("postmulti: fatal: Unsafe characters in new instance name: '" + name + "'\n",
                    tree.run("-I", "postfix-\u00e4", "-e", "create").err());
            tree.writePrimary("smtputf8_enable = no\n");
            assertEquals("postmulti: fatal: Unsafe characters in new instance name: 'postfix-??'\n",
                    tree.run("-I", "postfix-\u00e4", "-e", "create").err());
        }
    }

    /** The primary read again under the lock: the same one while main.cf is unchanged, else read anew. */
    @Test
    void thePrimaryIsReadAgainOnlyWhenItsMainCfChanged() {
        try (FixtureTree tree = FixtureTree.initialized("")) {
            ParamDefaults defaults = ParamDefaults.builtIn();
            Primary first = Primary.load(Host.live(), tree.primary.toString(), defaults);
            assertSame(first, first.current(Host.live(), defaults));
            tree.appendPrimary("multi_instance_group = later\n");
            Primary reread = first.current(Host.live(), defaults);
            assertNotSame(first, reread);
            assertEquals("later", reread.value("multi_instance_group"));
        }
    }
}
