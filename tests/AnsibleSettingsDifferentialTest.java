import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * Issue 15: the instance module decides which settings differ from main.cf's explicit values,
 * which it reads in Python (maincf_settings.explicit_values), since postconf -n leaves out the
 * parameters it takes for unused. Its reading must be Postfix's, or a converged host would be
 * rewritten on every run (or a difference missed): for 400 files from {@link MainCfGrammar}
 * (continuations with comments between them, duplicates, CR, tabs, \v and \f, no final newline,
 * non-ASCII bytes), the Python values equal those of {@link MainCf}, which MainCfFuzzTest holds
 * to postconf's. Needs Debian's python3 with ansible-core, not root; one Python process.
 */
class AnsibleSettingsDifferentialTest {

    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final int CASES = 400;

    static final String READER = String.join("\n",
            "import os, sys",
            "sys.path.insert(0, sys.argv[1])",
            "from ansible_collections.postmulti.postfix.plugins.module_utils.maincf_settings import explicit_values",
            "out = sys.stdout.buffer",
            "for case in range(int(sys.argv[3])):",
            "    with open(os.path.join(sys.argv[2], '%d.cf' % case), 'rb') as f:",
            "        values = explicit_values(f.read())",
            "    for name, value in sorted(values.items()):",
            "        out.write(('%d\\t%s\\t%s\\n' % (case, name, value)).encode('utf-8', 'surrogateescape'))",
            "");

    @Test
    void explicitValuesAreReadAsPostfixReadsThem() throws IOException {
        assumeTrue(Files.isExecutable(PYTHON), "needs " + PYTHON + " (with ansible-core)");
        Path collections = AnsibleCollectionTest.findCheckout().resolve("ansible");
        Path dir = Files.createTempDirectory("ansible-settings");
        try {
            Random random = new Random(15);
            List<Map<String, String>> expected = new ArrayList<>();
            for (int i = 0; i < CASES; i++) {
                byte[] file = MainCfGrammar.doc(random, MainCfGrammar.Options.DIFFERENTIAL).bytes();
                Files.write(dir.resolve(i + ".cf"), file);
                expected.add(postfixReading(file));
            }
            Tool.Result read = Tool.exec(List.of(PYTHON.toString(), "-c", READER, collections.toString(),
                    dir.toString(), Integer.toString(CASES)), Map.of(), null);
            assumeTrue(!read.err().contains("No module named 'ansible'"), "needs ansible-core for " + PYTHON);
            assertEquals(0, read.status(), read::both);
            List<Map<String, String>> python = new ArrayList<>();
            for (int i = 0; i < CASES; i++) python.add(new TreeMap<>());
            read.out().lines().forEach(line -> {
                String[] fields = line.split("\t", 3);
                python.get(Integer.parseInt(fields[0])).put(fields[1], fields[2]);
            });
            for (int i = 0; i < CASES; i++) {
                if (expected.get(i) == null) continue;
                int c = i;
                assertEquals(expected.get(i), python.get(i), () -> "case " + c + ":\n"
                        + readable(dir.resolve(c + ".cf")));
            }
        } finally {
            SandboxedPostfix.deleteRecursively(dir);
        }
    }

    /** name: value (bytes, one char each) with blanks squeezed as the module compares them; null for a file Postfix refuses. */
    static Map<String, String> postfixReading(byte[] file) {
        MainCf cf;
        try {
            cf = MainCf.parse("main.cf", file);
        } catch (Fatal refused) {
            return null;
        }
        Map<String, String> values = new TreeMap<>();
        cf.rawValues().forEach((name, value) -> values.put(name, squeezed(value)));
        return values;
    }

    /** Runs of Postfix's white space made one space, none at either end (both sides compare so). */
    static String squeezed(String value) {
        List<String> words = new ArrayList<>();
        for (String word : value.split("[ \t\n\u000b\f\r]+")) if (!word.isEmpty()) words.add(word);
        return String.join(" ", words);
    }

    static String readable(Path file) {
        try {
            return Json.quote(Files.readString(file, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
