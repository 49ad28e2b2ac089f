#!/usr/bin/env bash
# Peak memory (RSS) of every action on a big tree: a primary main.cf of about 2.8 MB (12,000
# parameters, 28,000 comment lines) and 300 secondaries, the case issue 17 measured.
#
#   bench/bigtree.sh [N]          (default N = 300 secondaries; no root needed)
#
# Runs the exported jar through its launcher (tools/export.sh: java with the //JAVA_OPTIONS
# of postmulti.java, -Xmx64m among them) and prints, per action, the peak RSS in MB that
# /usr/bin/time -v reports (the largest process it waited for: the JVM). Not a test: the figure
# depends on the JDK and the machine; docs/FAULTS.md records a run.
set -eu
n=${1:-300}
top=$(cd "$(dirname "$0")/.." && pwd -P)
[ -x /usr/bin/time ] || { echo "bigtree.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d /tmp/postmulti-bigtree.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$top/tools/export.sh" "$work/export" >/dev/null 2>&1
tool=$work/export/postmulti
"$top/bench/make-tree.sh" "$n" "$work/tree"
primary=$work/tree/etc/postfix
# The bulk: 12,000 parameters (each under two lines of comment) and 4,000 more comment lines.
awk 'BEGIN {
    for (i = 1; i <= 12000; i++) {
        printf "# bench_parameter_%d: a comment line as long as the ones in a stock main.cf are\n", i
        printf "# and a second line of comment that explains what the parameter above does\n"
        printf "bench_parameter_%d = value number %d with some words in it, $myhostname, $mydomain\n", i, i
    }
    for (i = 1; i <= 4000; i++) printf "# trailing comment %d: about as long as the others are, more or less\n", i
}' >>"$primary/main.cf"
# No postfix command in the tree: set-permissions and the status check are skipped (with a
# warning), so the benchmark never runs this host's Postfix on a scratch tree.
mkdir -p "$work/tree/bin"
sed -i "s|^command_directory = .*|command_directory = $work/tree/bin|" "$primary/main.cf"
printf 'primary main.cf: %s bytes, %s lines; %s secondaries\n' "$(stat -c %s "$primary/main.cf")" \
    "$(wc -l <"$primary/main.cf")" "$n"

peak() { # LABEL ARGS...: runs the tool, prints the label, status and peak RSS
    local label=$1; shift
    local status=0
    /usr/bin/time -v -o "$work/time" "$tool" -c "$primary" "$@" >/dev/null 2>"$work/err" </dev/null || status=$?
    printf '%-34s status %d  peak RSS %5.1f MB\n' "$label" "$status" \
        "$(awk -F': ' '/Maximum resident/ {print $2 / 1024}' "$work/time")"
}
peak "-l" -l
peak "-x true" -x true
peak "-n -I postfix-new -e create" -n -I postfix-new -e create
peak "-I postfix-new -e create" -I postfix-new -e create
peak "-i postfix-2 -e disable" -i postfix-2 -e disable
peak "-i postfix-2 -e enable" -i postfix-2 -e enable
peak "-i postfix-2 -I postfix-two -e assign" -i postfix-2 -I postfix-two -e assign
peak "-i postfix-new -e disable" -i postfix-new -e disable
peak "-i postfix-new -e deport" -i postfix-new -e deport
peak "-I postfix-new -e import" -I postfix-new -e import
peak "-i postfix-new -e disable" -i postfix-new -e disable
peak "-i postfix-new -e destroy" -i postfix-new -e destroy
peak "-i postfix-nonesuch -e enable (refused)" -i postfix-nonesuch -e enable
