import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Keeps the tool native-image ready: no reflection at all (picocli's model is built with its
 * builders, so picocli reflects on nothing of ours either). Reflection, resources, service
 * loading, method handles or proxies would need
 * hand-written GraalVM configuration and would silently break a native build, so both the
 * sources (every .java file under lib/, postmulti.java) and their compiled classes are checked.
 */
class NoReflectionTest {
    /** Source spellings of reflection and dynamic loading, looked for outside comments and string literals. */
    private static final Pattern FORBIDDEN_SOURCE = Pattern.compile(
            "Class\\s*\\.\\s*forName|getDeclared|\\bgetMethods?\\s*\\(|\\bgetFields?\\s*\\(|\\bgetConstructors?\\s*\\("
                    + "|java\\s*\\.\\s*lang\\s*\\.\\s*reflect|\\bProxy\\b|\\bServiceLoader\\b|\\bMethodHandles?\\b"
                    + "|\\bVarHandle\\b|\\bnewInstance\\s*\\(|\\bgetResources?(AsStream)?\\s*\\(|\\bloadClass\\s*\\(");

    /** Owners whose every member is reflective or dynamic. */
    private static final List<String> FORBIDDEN_OWNER_PREFIXES = List.of(
            "java/lang/reflect/", "java/lang/invoke/MethodHandles", "java/lang/invoke/MethodHandle",
            "java/lang/invoke/VarHandle", "java/util/ServiceLoader", "java/lang/ClassLoader", "java/net/URLClassLoader");

    /**
     * Members of java/lang/Class that reflect or load. getName() and friends stay allowed: they
     * work in a native image without configuration.
     */
    private static final Pattern FORBIDDEN_CLASS_MEMBER = Pattern.compile(
            "forName|getDeclared.*|getMethods?|getFields?|getConstructors?|newInstance|getResources?(AsStream)?"
                    + "|getClassLoader|getRecordComponents|getEnclosingMethod|getEnclosingConstructor");

    @Test
    void sourcesUseNoReflection() throws IOException {
        List<String> findings = new ArrayList<>();
        for (Path source : ourSources()) {
            String[] lines = codeOnly(Files.readString(source, StandardCharsets.UTF_8)).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                Matcher matcher = FORBIDDEN_SOURCE.matcher(lines[i]);
                if (matcher.find()) findings.add(source + ":" + (i + 1) + ": " + matcher.group() + "  in: " + lines[i].strip());
            }
        }
        assertEquals(List.of(), findings, "reflection or dynamic loading in our sources: a native image would need "
                + "hand-written configuration");
    }

    @Test
    void compiledClassesCallNoReflectiveApi() throws IOException {
        Set<String> topLevel = new TreeSet<>();
        for (Path source : ourSources()) topLevel.add(source.getFileName().toString().replaceFirst("\\.java$", ""));
        List<String> findings = new ArrayList<>();
        int checked = 0;
        try (ZipFile jar = new ZipFile(builtJar().toFile())) {
            for (ZipEntry entry : jar.stream().toList()) {
                String name = entry.getName();
                if (!name.endsWith(".class") || name.contains("/")) continue;
                String outer = name.substring(0, name.length() - ".class".length()).split("\\$", 2)[0];
                if (!topLevel.contains(outer)) continue;
                checked++;
                try (InputStream in = jar.getInputStream(entry)) {
                    for (String member : referencedMembers(in.readAllBytes())) {
                        if (forbidden(member)) findings.add(name + " uses " + member);
                    }
                }
            }
        }
        assertFalse(checked == 0, "found none of our classes in the test jar");
        assertEquals(List.of(), findings, "reflective calls in our compiled classes");
    }

    /** The checker itself: it must see through neither comments nor strings, and must see real calls. */
    @Test
    void checkerTellsCodeFromCommentsAndStrings() {
        String text = "// Class.forName in a comment\n/* getDeclaredFields() */ String s = \"Proxy\";\n"
                + "char c = '\"'; Object o = Class.forName(x);\n";
        String code = codeOnly(text);
        assertEquals(3, code.split("\n", -1).length - 1, "line numbers are kept");
        Matcher matcher = FORBIDDEN_SOURCE.matcher(code);
        assertEquals(true, matcher.find());
        assertEquals("Class.forName", matcher.group());
        assertFalse(matcher.find());
        assertFalse(FORBIDDEN_SOURCE.matcher("Charset.forName(name)").find(), "Charset.forName is not reflection");
        assertEquals(true, forbidden("java/lang/Class.getDeclaredMethods"));
        assertEquals(true, forbidden("java/lang/invoke/MethodHandles.lookup"));
        assertFalse(forbidden("java/lang/invoke/LambdaMetafactory.metafactory"), "lambdas are fine");
        assertFalse(forbidden("java/lang/Class.getSimpleName"));
    }

    private static boolean forbidden(String member) {
        int dot = member.lastIndexOf('.');
        String owner = member.substring(0, dot);
        String name = member.substring(dot + 1);
        if (owner.equals("java/lang/Class")) return FORBIDDEN_CLASS_MEMBER.matcher(name).matches();
        for (String prefix : FORBIDDEN_OWNER_PREFIXES) {
            if (owner.startsWith(prefix)) return true;
        }
        return false;
    }

    /** every .java file under lib/ and postmulti.java, from the checkout (the tests run in its top directory). */
    private static List<Path> ourSources() throws IOException {
        List<Path> sources = new ArrayList<>();
        sources.add(Path.of("postmulti.java"));
        try (Stream<Path> lib = Files.walk(Path.of("lib"))) {
            lib.filter(path -> path.toString().endsWith(".java")).forEach(sources::add);
        }
        sources.sort(null);
        return sources;
    }

    /** The jar JBang built for the test run, which holds our classes compiled from the same sources. */
    private static Path builtJar() {
        try {
            return Path.of(postmulti.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The text with comments, string, text-block and character literals blanked out (newlines
     * kept, so line numbers stay right): mentioning reflection in a comment or a message is fine.
     */
    static String codeOnly(String text) {
        StringBuilder code = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (text.startsWith("//", i)) {
                while (i < text.length() && text.charAt(i) != '\n') i++;
            } else if (text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                end = end < 0 ? text.length() : end + 2;
                blank(text, i, end, code);
                i = end;
            } else if (text.startsWith("\"\"\"", i)) {
                int end = text.indexOf("\"\"\"", i + 3);
                end = end < 0 ? text.length() : end + 3;
                blank(text, i, end, code);
                i = end;
            } else if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < text.length() && text.charAt(end) != c && text.charAt(end) != '\n') {
                    end += text.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, text.length());
                code.append(c).append(c);
                i = end;
            } else {
                code.append(c);
                i++;
            }
        }
        return code.toString();
    }

    private static void blank(String text, int from, int to, StringBuilder code) {
        for (int k = from; k < to; k++) code.append(text.charAt(k) == '\n' ? '\n' : ' ');
    }

    /**
     * "owner.name" of every field, method and interface-method reference in a class file's
     * constant pool (JVMS 4.4): what the class can call or touch, whatever the source said.
     */
    static List<String> referencedMembers(byte[] classFile) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
            if (in.readInt() != 0xCAFEBABE) throw new IllegalArgumentException("not a class file");
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            int[] classNameIndex = new int[count];
            int[] refClass = new int[count];
            int[] refNameAndType = new int[count];
            int[] nameIndex = new int[count];
            boolean[] isRef = new boolean[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 7 -> classNameIndex[i] = in.readUnsignedShort();
                    case 9, 10, 11 -> {
                        isRef[i] = true;
                        refClass[i] = in.readUnsignedShort();
                        refNameAndType[i] = in.readUnsignedShort();
                    }
                    case 12 -> {
                        nameIndex[i] = in.readUnsignedShort();
                        in.readUnsignedShort();
                    }
                    case 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    case 3, 4, 17, 18 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++;
                    }
                    default -> throw new IllegalArgumentException("unknown constant pool tag " + tag);
                }
            }
            List<String> members = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                if (isRef[i]) members.add(utf8[classNameIndex[refClass[i]]] + "." + utf8[nameIndex[refNameAndType[i]]]);
            }
            return members;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
