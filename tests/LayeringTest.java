import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps lib/'s folders a layered map (docs/ARCHITECTURE.md): a class may use classes of its own
 * folder and of folders in lower layers, never of a higher layer. instances/ and plan/ share a
 * layer (a plan is made of instances' directories, and instances are changed through plans),
 * and so do maincf/ and process/, which know nothing of each other.
 */
class LayeringTest {
    /** Folder to layer, top first. */
    static final Map<String, Integer> LAYERS = Map.of(
            "cli", 0, "modes", 1, "instances", 2, "plan", 2, "maincf", 3, "process", 3, "host", 4);
    /** Folders of one layer that may use each other. */
    static final List<List<String>> PARTNERS = List.of(List.of("instances", "plan"));

    @Test
    void everyFolderIsALayer() throws IOException {
        for (Path source : sources()) {
            String folder = source.getParent().getFileName().toString();
            assertTrue(LAYERS.containsKey(folder), source + " is in no layer: add its folder to LAYERS and to docs/ARCHITECTURE.md");
        }
    }

    @Test
    void noClassReachesUp() throws IOException {
        Map<String, String> folderOf = new TreeMap<>();
        for (Path source : sources()) {
            folderOf.put(source.getFileName().toString().replace(".java", ""), source.getParent().getFileName().toString());
        }
        List<String> violations = new ArrayList<>();
        for (Path source : sources()) {
            String from = source.getParent().getFileName().toString();
            String code = NoReflectionTest.codeOnly(Files.readString(source, StandardCharsets.UTF_8));
            Matcher word = Pattern.compile("\\b[A-Z][A-Za-z0-9]*\\b").matcher(code);
            while (word.find()) {
                String to = folderOf.get(word.group());
                if (to != null && !allowed(from, to)) {
                    String violation = source + " uses " + word.group() + " (" + to + "/)";
                    if (!violations.contains(violation)) violations.add(violation);
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void theRuleRejectsUpwardUse() {
        assertTrue(allowed("modes", "instances"));
        assertTrue(allowed("plan", "instances"));
        assertTrue(!allowed("host", "instances"), "output knows nothing of instances");
        assertTrue(!allowed("maincf", "instances"), "the engine knows nothing of instances");
        assertTrue(!allowed("maincf", "process"), "the engine runs no process");
        assertTrue(!allowed("modes", "cli"), "modes know nothing of the command line");
    }

    static boolean allowed(String from, String to) {
        if (from.equals(to)) return true;
        int fromLayer = LAYERS.get(from);
        int toLayer = LAYERS.get(to);
        if (toLayer > fromLayer) return true;
        return toLayer == fromLayer && PARTNERS.stream().anyMatch(pair -> pair.contains(from) && pair.contains(to));
    }

    static List<Path> sources() throws IOException {
        try (Stream<Path> tree = Files.walk(Path.of("lib"))) {
            return tree.filter(path -> path.toString().endsWith(".java")).sorted().toList();
        }
    }
}
