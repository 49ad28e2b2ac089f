///usr/bin/env jbang "$0" "$@" ; exit $?
//DEPS org.junit.jupiter:junit-jupiter:5.14.1
//DEPS org.junit.platform:junit-platform-launcher:1.14.1
//DEPS info.picocli:picocli:4.7.7
//SOURCES ../postmulti.java
//SOURCES ../lib/cli/*.java ../lib/modes/*.java ../lib/instances/*.java ../lib/plan/*.java
//SOURCES ../lib/maincf/*.java ../lib/process/*.java ../lib/host/*.java
//SOURCES *Test.java
//SOURCES support/*.java
//COMPILE_OPTIONS -encoding UTF-8 -XDstringConcat=inline

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the JUnit Jupiter test classes (tests/*Test.java) and closes with the line
 * {@code N passed, N failed, N skipped}; exits 1 if any test failed, 2 if none ran.
 *
 * <pre>
 *   ./jbang tests/run.java                     every test class
 *   ./jbang tests/run.java MainCf Instance     classes whose name contains a word, any case (exact name wins)
 *   ./jbang tests/run.java MainCfTest#parses   one method (by name) of one class
 *   ./jbang tests/run.java -v ...              also list every passed test
 * </pre>
 *
 * The test classes are the top-level classes named *Test in the jar JBang built from
 * this script's //SOURCES (no classpath scanning). Each skipped test (a failed
 * assumption, or @Disabled) is printed as {@code SKIPPED <test>: <reason>}.
 */
class run {
    static final PrintStream out = System.out;
    static final int MAX_FRAMES = 12;

    public static void main(String[] args) throws Exception {
        boolean verbose = false;
        List<String> filters = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("-v") || arg.equals("--verbose")) {
                verbose = true;
            } else if (arg.equals("-h") || arg.equals("--help")) {
                out.println("usage: ./jbang tests/run.java [-v] [ClassNameOrPart[#method] ...]");
                return;
            } else {
                filters.add(arg);
            }
        }

        TreeSet<String> classes = testClasses();
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (String filter : filters.isEmpty() ? List.of("") : filters) {
            String classPart = filter;
            String method = null;
            int hash = filter.indexOf('#');
            if (hash >= 0) {
                classPart = filter.substring(0, hash);
                method = filter.substring(hash + 1);
            }
            List<String> matched = new ArrayList<>();
            if (classes.contains(classPart)) {
                matched.add(classPart);
            } else {
                for (String c : classes) {
                    if (c.toLowerCase(Locale.ROOT).contains(classPart.toLowerCase(Locale.ROOT))) matched.add(c);
                }
            }
            if (matched.isEmpty()) {
                System.err.println("run: no test class matches '" + classPart + "' (known: "
                        + String.join(", ", classes) + ")");
                System.exit(2);
            }
            for (String c : matched) {
                selectors.add(method == null ? selectClass(c) : selectMethod(c + "#" + method));
            }
        }

        Summary summary = new Summary(verbose);
        if (!selectors.isEmpty()) {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectors)
                    // A hung test (say, a child waiting on a terminal) must not hang CI; long
                    // runs (bench/fuzz-maincf.sh) set their own limit.
                    .configurationParameter("junit.jupiter.execution.timeout.default",
                            Optional.ofNullable(System.getenv("POSTMULTI_TEST_TIMEOUT")).orElse("5 m"))
                    .build();
            LauncherFactory.create().execute(request, summary);
        }
        System.err.flush();
        out.printf("%d passed, %d failed, %d skipped%n",
                summary.passed.get(), summary.failed.get(), summary.skipped.get());
        out.flush();
        int ran = summary.passed.get() + summary.failed.get() + summary.skipped.get();
        System.exit(summary.failed.get() > 0 ? 1 : ran == 0 ? 2 : 0);
    }

    /** Top-level classes named *Test in the jar (or class directory) this runner was built into. */
    static TreeSet<String> testClasses() throws IOException, URISyntaxException {
        Path where = Path.of(run.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        TreeSet<String> names = new TreeSet<>();
        if (Files.isDirectory(where)) {
            try (Stream<Path> files = Files.list(where)) {
                files.map(p -> p.getFileName().toString()).forEach(n -> addIfTest(names, n));
            }
        } else {
            try (ZipFile jar = new ZipFile(where.toFile())) {
                jar.stream().forEach(e -> addIfTest(names, e.getName()));
            }
        }
        return names;
    }

    static void addIfTest(Collection<String> names, String entry) {
        if (entry.endsWith("Test.class") && entry.indexOf('/') < 0 && entry.indexOf('$') < 0) {
            names.add(entry.substring(0, entry.length() - ".class".length()));
        }
    }

    /** A frame of the JDK's own modules. */
    static boolean isJdk(StackTraceElement f) {
        String module = f.getModuleName();
        return module != null && (module.startsWith("java.") || module.startsWith("jdk."));
    }

    /** Counts tests, and prints failures (with trimmed stacks) and skips as they happen. */
    static class Summary implements TestExecutionListener {
        final AtomicInteger passed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger skipped = new AtomicInteger();
        /** Tests already counted, so that a container's outcome counts only the rest. */
        final Set<String> counted = ConcurrentHashMap.newKeySet();
        final boolean verbose;
        TestPlan plan;

        Summary(boolean verbose) {
            this.verbose = verbose;
        }

        @Override
        public void testPlanExecutionStarted(TestPlan testPlan) {
            plan = testPlan;
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            skip(id, reason);
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            switch (result.getStatus()) {
                case SUCCESSFUL:
                    if (id.isTest() && counted.add(id.getUniqueId())) {
                        passed.incrementAndGet();
                        if (verbose) out.println("PASSED " + name(id));
                    }
                    break;
                case ABORTED:
                    skip(id, result.getThrowable()
                            .map(t -> String.valueOf(t.getMessage()).replaceFirst("^Assumption failed: ", ""))
                            .orElse("aborted"));
                    break;
                case FAILED: {
                    // A container that fails (say in @BeforeAll) fails the tests it did not run.
                    List<TestIdentifier> left = uncounted(id);
                    left.forEach(t -> counted.add(t.getUniqueId()));
                    failed.addAndGet(Math.max(1, left.size()));
                    out.println("FAILED " + name(id)
                            + (id.isTest() || left.isEmpty() ? "" : " (" + left.size() + " tests not run)"));
                    result.getThrowable().ifPresent(t -> printTrimmed(t, ""));
                    break;
                }
            }
        }

        /** A skipped or aborted test, or every test not yet run below a container. */
        void skip(TestIdentifier id, String reason) {
            List<TestIdentifier> left = uncounted(id);
            if (left.isEmpty() && !id.isTest()) {
                return;  // an engine or class whose tests were all reported already
            }
            for (TestIdentifier t : left) {
                counted.add(t.getUniqueId());
                skipped.incrementAndGet();
                out.println("SKIPPED " + name(t) + ": " + reason);
            }
        }

        /** The test itself, or the tests below a container, not counted yet. */
        List<TestIdentifier> uncounted(TestIdentifier id) {
            List<TestIdentifier> tests = new ArrayList<>();
            if (id.isTest()) {
                tests.add(id);
            } else {
                plan.getDescendants(id).stream().filter(TestIdentifier::isTest).forEach(tests::add);
            }
            tests.removeIf(t -> counted.contains(t.getUniqueId()));
            return tests;
        }

        boolean isEngine(TestIdentifier id) {
            return id.getParentId().isEmpty();
        }

        /** Class.method, plus the display name of a repeated/parameterized/dynamic invocation. */
        String name(TestIdentifier id) {
            Optional<TestSource> source = id.getSource();
            if (source.isPresent() && source.get() instanceof MethodSource) {
                MethodSource m = (MethodSource) source.get();
                String base = simple(m.getClassName()) + "." + m.getMethodName();
                boolean invocation = plan.getParent(id)
                        .flatMap(TestIdentifier::getSource)
                        .map(s -> s instanceof MethodSource)
                        .orElse(false);
                return invocation ? base + " " + id.getDisplayName() : base;
            }
            if (source.isPresent() && source.get() instanceof ClassSource) {
                return simple(((ClassSource) source.get()).getClassName());
            }
            Optional<TestIdentifier> parent = plan.getParent(id);
            return parent.isPresent() && !isEngine(parent.get())
                    ? name(parent.get()) + " " + id.getDisplayName()
                    : id.getDisplayName();
        }

        static String simple(String className) {
            return className.substring(className.lastIndexOf('.') + 1);
        }
    }

    /**
     * The throwable with its frames, less JUnit's and reflection's, up to the call of the
     * test method (the rest is the runner), then its causes and suppressed ones.
     */
    static void printTrimmed(Throwable t, String indent) {
        out.println(indent + "  " + t);
        List<StackTraceElement> kept = new ArrayList<>();
        boolean inTests = false;
        for (StackTraceElement f : t.getStackTrace()) {
            String c = f.getClassName();
            boolean reflection = c.startsWith("jdk.internal.") || c.startsWith("java.lang.reflect.")
                    || c.startsWith("sun.reflect.");
            if (inTests && reflection) break;
            if (reflection || c.startsWith("org.junit.") || c.startsWith("org.opentest4j.")) continue;
            kept.add(f);
            if (c.indexOf('.') < 0 && c.replaceAll("\\$.*", "").endsWith("Test")) inTests = true;
        }
        // JDK frames after the last of ours are the runner's (thread pools, forEach).
        while (!kept.isEmpty() && isJdk(kept.get(kept.size() - 1))) kept.remove(kept.size() - 1);
        for (int i = 0; i < kept.size(); i++) {
            if (i == MAX_FRAMES) {
                out.println(indent + "    ... " + (kept.size() - i) + " more");
                break;
            }
            out.println(indent + "    at " + kept.get(i));
        }
        Throwable cause = t.getCause();
        if (cause != null && cause != t && indent.length() < 8) {
            out.println(indent + "  Caused by:");
            printTrimmed(cause, indent + "  ");
        }
        if (indent.length() < 8) {
            for (Throwable s : t.getSuppressed()) {
                out.println(indent + "  Suppressed:");
                printTrimmed(s, indent + "  ");
            }
        }
    }
}
