#!/usr/bin/env bash
# -l --status against the shell loop admins use today, on N instances with F queue files each.
#
#   bench/status.sh [-r RUNS] [N [F]]      (as root; defaults: 3 runs, N = 100, F = 2000)
#
# The tree is bench/make-tree.sh's (primary + N secondaries, stopped), each queue directory
# holding F files: 80% in deferred (hashed, one level of 16 directories, as Postfix's
# default), 10% in active, 10% in hold. Timed, median of RUNS runs (after the run that compares
# the totals, which warms the page cache for both):
#   loop   what monitoring scripts do: postmulti -l (the C program), then for each instance
#          postfix -c DIR status, postconf -h queue_directory and one
#          find maildrop incoming active deferred hold corrupt -type f | wc -l;
#          in a private mount namespace with the tree's primary on /etc/postfix, since the
#          C postmulti and postfix -c accept only instances of the default primary
#   jar    ours, -l --status, through the launcher of tools/export.sh (as installed)
#   jbang  ours, ./jbang postmulti.java -c TREE -l --status (warm build cache)
# and checks that both give the same total. Not a test: numbers depend on the machine.
set -eu
runs=3
if [ "${1:-}" = "-r" ]; then runs=$2; shift 2; fi
n=${1:-100} files=${2:-2000}

top=$(cd "$(dirname "$0")/.." && pwd -P)
die() { echo "status.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (unshare -m, mount --bind) for the shell loop's postfix -c"
[ -x /usr/sbin/postmulti ] || die "/usr/sbin/postmulti is missing (apt-get install postfix)"

work=$(mktemp -d /tmp/postmulti-status-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
tree=$work/tree

echo "building ours and a tree of $n instances x $files queue files ..." >&2
"$top/jbang" "$top/postmulti.java" -V >/dev/null
"$top/tools/export.sh" "$work/export" 2>/dev/null
"$top/bench/make-tree.sh" "$n" "$tree"

fill_queue() { # QUEUE_DIRECTORY
    local q=$1 deferred=$((files * 8 / 10)) other=$((files / 10)) h
    mkdir -p "$q"/{maildrop,incoming,active,deferred,hold,corrupt,pid}
    for h in 0 1 2 3 4 5 6 7 8 9 A B C D E F; do
        mkdir -p "$q/deferred/$h"
        (cd "$q/deferred/$h" && seq -f "${h}D%07g" 1 $((deferred / 16)) | xargs touch)
    done
    (cd "$q/active" && seq -f "4A%07g" 1 "$other" | xargs touch)
    (cd "$q/hold" && seq -f "4H%07g" 1 "$other" | xargs touch)
}
fill_queue "$tree/var/spool/postfix"
for i in $(seq 1 "$n"); do fill_queue "$tree/var/spool/postfix-$i"; mkdir -p "$tree/var/lib/postfix-$i"; done
mkdir -p "$tree/var/lib/postfix"

cat >"$work/loop.sh" <<'LOOP'
# The monitoring loop: one line per instance, state and message count.
/usr/sbin/postmulti -l | while read -r name group enabled dir; do
    if postfix -c "$dir" status >/dev/null 2>&1; then state=running; else state=stopped; fi
    queue=$(postconf -c "$dir" -h queue_directory)
    count=$(cd "$queue" && find maildrop incoming active deferred hold corrupt -type f | wc -l)
    echo "$name $state $count"
done
LOOP
loop_run() {
    PATH=/usr/sbin:/usr/bin:/sbin:/bin unshare -m --propagation private \
        sh -c 'mount --bind "$0" /etc/postfix && exec bash "$1"' "$tree/etc/postfix" "$work/loop.sh"
}
jar_run() { "$work/export/postmulti" -c "$tree/etc/postfix" -l --status; }
jbang_run() { "$top/jbang" "$top/postmulti.java" -c "$tree/etc/postfix" -l --status; }

median_ms() { # FUNCTION
    local times=() start end i
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s%N)
        "$1" >/dev/null 2>&1 </dev/null || true
        end=$(date +%s%N)
        times+=($(((end - start) / 1000000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

loop_total=$(loop_run 2>/dev/null | awk '{ s += $3 } END { print s }')
ours_total=$(jar_run 2>/dev/null | awk 'NR > 1 { for (i = 7; i <= 12; i++) s += $i } END { print s }')
[ "$loop_total" = "$ours_total" ] || die "different totals: loop $loop_total, ours $ours_total"

loop=$(median_ms loop_run)
jar=$(median_ms jar_run)
jbang=$(median_ms jbang_run)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
printf '%s\n' "$((n + 1)) instances x $files queue files ($ours_total messages in all); median of $runs runs;" \
    "machine: $(nproc) cores, $(uname -sr); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-48s %8s %8s\n' "" "ms" "speed-up"
printf '%-48s %8s %8s\n' "shell loop (postmulti -l, postfix status, find)" "$loop" "1.0"
printf '%-48s %8s %8s\n' "postmulti -l --status (installed jar)" "$jar" "$(ratio "$loop" "$jar")"
printf '%-48s %8s %8s\n' "postmulti -l --status (./jbang)" "$jbang" "$(ratio "$loop" "$jbang")"
