#!/usr/bin/env bash
# Mutation testing of lib/ with PIT: how many small bugs (mutants) the tests notice.
#
#   bench/mutation.sh [-t THREADS] [-T TestA,TestB] [-C ClassA,ClassB] [LAYER ...]
#       layers: cli modes instances plan maincf process host (default all), each mutated in a run
#       of its own against the test classes LAYER_TESTS names for it; -T: those test classes
#       instead; -C: mutate only those lib/ classes (one run); as root, like the suite;
#       MUTATION_REPORT=DIR: PIT's reports there instead of bench/mutation-report (two runs at once)
#
# It builds the test runner's jar with JBang (lib/ classes + test classes, default package), has JBang
# resolve PIT (org.pitest:pitest-command-line with pitest-junit5-plugin, and what they need) from
# Maven Central into the local Maven repository once, mutates the lib/ classes of the chosen layers
# with PIT's default mutators, and runs the unit and differential test classes against each mutant.
# It prints the mutation score and every surviving mutant (file:line, mutator, method); PIT's full
# report is left in bench/mutation-report/ (not committed). Run it before a large change, and compare
# with docs/MUTATION.md; it is not part of CI (the whole of lib/ takes tens of minutes on 2 cores).
#
# Left out, because they only run our tool in child JVMs (PIT mutates classes in its own JVM, so
# they cannot kill a mutant) or take minutes in sandboxes: the end-to-end classes, and the classes
# that check the source tree rather than behaviour. See EXCLUDED below.
set -eu
pitest_version=1.30.2
junit5_plugin_version=1.2.3
threads=2
tests=
only_classes=
while [ $# -gt 1 ]; do
    case $1 in
        -t) threads=$2; shift 2 ;;
        -T) tests=$2; shift 2 ;;
        -C) only_classes=$2; shift 2 ;;
        *) break ;;
    esac
done

top=$(cd "$(dirname "$0")/.." && pwd -P)
report=${MUTATION_REPORT:-$top/bench/mutation-report}
die() { echo "mutation.sh: $*" >&2; exit 1; }
cd "$top"

layers=("$@")
[ ${#layers[@]} -gt 0 ] || layers=(cli modes instances plan maincf process host)
for layer in "${layers[@]}"; do
    [ -d "lib/$layer" ] || die "no layer lib/$layer"
done

EXCLUDED=" BorderMtaE2eTest IteratorE2eTest SandboxSmokeTest SmtpSinkTest ContentFilterProxyTest
  LifecycleConcurrencyTest LifecyclePartsTest LifecycleDifferentialTest BootstrapTest StartupDifferentialTest
  CrashSafetyTest ExampleTreeTest LayeringTest NoReflectionTest GeneratedDocsTest MainCfFuzzTest RunnerTest "

# The test classes that exercise each layer in our own JVM (PIT's mutant lives there only): the
# whole suite against every mutant would take hours on 2 cores. A layer left out runs them all.
# Left out of maincf: PostconfDifferentialTest, which runs the real postconf for every case of
# every mutant (a run had not ended after 40 minutes); the differential cases run in the suite.
declare -A LAYER_TESTS=(
    [cli]=OptionsDifferentialTest,ListModeDifferentialTest,OfflineRootTest,SyslogTest,IteratorModeTest,HostileInputTest,LifecycleTest,LongOptionsTest
    [maincf]=ExpanderTest,MainCfTest,MainCfEditorTest,MainCfChecksTest,ParametersTest,ParamDefaultsTest,PostconfCacheTest,MainCfPropertiesTest,HostileInputTest
    [host]=MsgTest,StandardOutputTest,ErrnoTest,HostTest,MountsTest,WarningTallyTest,SyslogTest,JsonTest,AtomicFileTest,OfflineRootTest,StatusTest,HostileInputTest,LifecycleTest
    [instances]=StartupChecksTest,SyslogTest,LifecyclePartsTest,LifecycleTest,OfflineRootTest,DamagedSecondaryTest,HostileInputTest,ListModeDifferentialTest,RefusalTest,StatusTest,OptionsDifferentialTest
    [plan]=ConfigLockTest,CommitTest,AtomicFileTest,LifecyclePartsTest,LifecycleTest,RefusalTest,OfflineRootTest,DamagedSecondaryTest,HostileInputTest
    [modes]=LifecycleTest,LifecyclePartsTest,OfflineRootTest,StatusTest,DamagedSecondaryTest,JsonTest,OptionsDifferentialTest,IteratorModeTest
    [process]=HeldSignalsTest,LauncherTest,TerminalForegroundTest,StatusTest,IteratorModeTest
)

# CLASS...: PIT's target list (class names without a package, with their nested classes: Outer$Inner).
target_list() {
    local name
    for name in "$@"; do printf '%s,%s$*,' "$name" "$name"; done | sed 's/,$//'
}
layer_classes() { # LAYER: its class names
    local file
    for file in lib/"$1"/*.java; do basename "$file" .java; done
}

all_tests() {
    local file name
    for file in tests/*Test.java; do
        name=$(basename "$file" .java)
        case "$EXCLUDED" in *" $name "*) continue ;; esac
        printf '%s,' "$name"
    done | sed 's/,$//'
}

pit_classpath=$(./jbang info classpath --deps "org.pitest:pitest-junit5-plugin:$junit5_plugin_version" \
    "org.pitest:pitest-command-line:$pitest_version" 2>/dev/null | tail -1)
[ -n "$pit_classpath" ] || die "cannot fetch PIT $pitest_version from Maven Central"
./jbang build tests/run.java >&2 || die "the test runner does not build"
classpath=$(./jbang info classpath tests/run.java 2>/dev/null | tail -1)
[ -n "$classpath" ] || die "no classpath from jbang info classpath tests/run.java"
# PIT looks for tests and code to mutate in class directories, not jars: unpack the runner's jar.
classes=$(mktemp -d /tmp/postmulti-mutation.XXXXXX)
trap 'rm -rf "$classes"' EXIT
(cd "$classes" && jar xf "${classpath%%:*}") || die "cannot unpack ${classpath%%:*} (did the sources change during the build?)"
classpath=$classes:${classpath#*:}

# Our own assertions still run; the comparisons with the real postmulti say SKIPPED (see ComparedWithReal).
export POSTMULTI_TEST_NO_REAL_POSTMULTI=1
pit() { # REPORT-DIR TARGET-CLASSES TEST-CLASSES
    java -cp "$pit_classpath:$classpath" org.pitest.mutationtest.commandline.MutationCoverageReport \
        --classPath "$(echo "$pit_classpath:$classpath" | tr ':' ',')" \
        --reportDir "$1" --timestampedReports=false --outputFormats CSV,HTML \
        --sourceDirs "$(ls -d lib/*/ | tr '\n' ',' | sed 's/,$//')" \
        --targetClasses "$2" --targetTests "$3" \
        --threads "$threads" --timeoutConst 8000 --skipFailingTests \
        --jvmArgs=-Djunit.jupiter.execution.timeout.default=2m \
        --verbosity "${PIT_VERBOSITY:-QUIET_WITH_PROGRESS}" >&2 || die "PIT failed (its output is above)"
    [ -s "$1/mutations.csv" ] || die "PIT wrote no $1/mutations.csv"
}

rm -rf "$report"
if [ -n "$only_classes" ]; then
    IFS=, read -ra picked <<<"$only_classes"
    pit "$report/classes" "$(target_list "${picked[@]}")" "${tests:-$(all_tests)}"
else
    for layer in "${layers[@]}"; do
        echo "mutation.sh: layer $layer" >&2
        mapfile -t picked < <(layer_classes "$layer")
        pit "$report/$layer" "$(target_list "${picked[@]}")" "${tests:-${LAYER_TESTS[$layer]:-$(all_tests)}}"
    done
fi

# Columns: file, class, mutator, method, line, status, killing test. One line per mutant not
# killed, a score per run (layer), and the total over them all.
awk -F, '
    FNR == 1 { if (run != "") score(run, k, t); run = FILENAME; sub(/\/mutations\.csv$/, "", run); sub(/.*\//, "", run); k = t = 0 }
    { t++; total++
      if ($6 == "KILLED" || $6 == "TIMED_OUT" || $6 == "MEMORY_ERROR" || $6 == "RUN_ERROR") { k++; killed++ }
      else { sub(/^org\.pitest\.mutationtest\.engine\.gregor\.mutators\./, "", $3);
             printf "%-9s %s:%s %s %s\n", $6, $1, $5, $4, $3 } }
    function score(name, k, t) { printf "score of %s: %d of %d killed (%.1f%%)\n", name, k, t, t ? 100 * k / t : 0 }
    END { score(run, k, t)
          printf "mutation score: %d of %d mutants killed (%.1f%%)\n", killed, total, total ? 100 * killed / total : 0 }
' "$report"/*/mutations.csv
