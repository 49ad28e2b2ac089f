#!/usr/bin/env bash
# A long run of the main.cf fuzzers, with many more cases than CI checks and a new seed each time:
#   MainCfFuzzTest        random files and -e/-#/-X edits, ours against the real postconf
#   MainCfPropertiesTest  the engine's properties (edits, reading any bytes, expansion bombs)
#
#   bench/fuzz-maincf.sh [CASES [SEED]]     (as root, with Postfix installed, for the differential part)
#
# CASES: differential cases (default 2000, about 0.3-0.5 s each); each property gets 10 times as
# many. SEED: a number, or "random" (the default). Prints how many cases of each property passed
# and a total; on a failure, the shrunk case and the command that reruns it alone
# (POSTMULTI_FUZZ_SEED=... POSTMULTI_FUZZ_CASE=... ./jbang tests/run.java Class#method).
# Exits 1 if any case failed.
set -u
cd "$(dirname "$0")/.." || exit 1
cases=${1:-2000}
seed=${2:-random}
if [ "$seed" = random ]; then seed=$(od -An -N6 -tu8 /dev/urandom | tr -d ' '); fi
log=$(mktemp /tmp/fuzz-maincf.XXXXXX)
trap 'rm -f "$log"' EXIT

echo "fuzz-maincf: seed $seed; $cases differential cases, $((cases * 10)) per property"
start=$(date +%s)
status=0
run() {
    POSTMULTI_FUZZ_SEED=$seed POSTMULTI_FUZZ_CASES=$1 POSTMULTI_TEST_TIMEOUT="${POSTMULTI_TEST_TIMEOUT:-24 h}" ./jbang tests/run.java "${@:2}" </dev/null 2>&1 | tee -a "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}
run "$cases" MainCfFuzzTest#editsAndExpansionsMatchPostconf
run $((cases * 10)) MainCfPropertiesTest

passed=$(awk '/^[A-Za-z]+\.[A-Za-z]+: [0-9]+ cases passed/ { n += $2 } END { print n + 0 }' "$log")
failed=$(grep -c ' cases passed, then case ' "$log")
echo "fuzz-maincf: ${passed:-0} cases passed, $failed failed (seed $seed, $(( $(date +%s) - start )) s)"
exit $status
