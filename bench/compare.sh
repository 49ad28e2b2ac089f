#!/usr/bin/env bash
# Side-by-side wall times of the real C postmulti and ours, on generated trees of N secondaries.
#
#   bench/compare.sh [-r RUNS] [N ...]        (as root; defaults: 5 runs, N = 1 10 100 500)
#
# For each N it writes a tree (bench/make-tree.sh: primary + N secondaries, the real shared
# directories, distinct private ones) and times `-l`, `-x true` and a usage error (`-z`):
#   C      /usr/sbin/postmulti, in a private mount namespace with the tree's primary bound on
#          /etc/postfix (the only place it reads); it runs $command_directory/postconf once per
#          instance, and sleeps a second after any fatal error, as Postfix programs do
#   jbang  ./jbang postmulti.java -c TREE ...   (warm: the build is cached; includes JBang's JVM)
#   jar    the launcher from tools/export.sh: java -jar with the tuned options and CDS archive
# and prints the median of RUNS runs (after one untimed warm-up run) and the ratio ours/C.
# Then the peak RSS of `-l` on the largest tree. Not a test: numbers depend on the machine.
set -eu
runs=5
if [ "${1:-}" = "-r" ]; then runs=$2; shift 2; fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 10 100 500)

top=$(cd "$(dirname "$0")/.." && pwd -P)
real=/usr/sbin/postmulti
die() { echo "compare.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (unshare -m, mount --bind) for the real postmulti"
[ -x "$real" ] || die "$real is missing (apt-get install postfix)"
command -v unshare >/dev/null || die "unshare(1) is missing (util-linux)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"

work=$(mktemp -d /tmp/postmulti-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "building: ./jbang postmulti.java (cached afterwards) and tools/export.sh ..." >&2
"$top/jbang" "$top/postmulti.java" -V >/dev/null
"$top/tools/export.sh" "$work/export" 2>/dev/null
jar_launcher=$work/export/postmulti

c_run() { # TREE ARGS...
    local tree=$1; shift
    unshare -m --propagation private sh -c 'mount --bind "$0" /etc/postfix && exec "$@"' \
        "$tree/etc/postfix" "$real" "$@"
}
jbang_run() { local tree=$1; shift; "$top/jbang" "$top/postmulti.java" -c "$tree/etc/postfix" "$@"; }
jar_run() { local tree=$1; shift; "$jar_launcher" -c "$tree/etc/postfix" "$@"; }

# median_ms FUNCTION TREE ARGS...: one warm-up run, then the median wall time of $runs runs.
median_ms() {
    local times=() start end i
    "$@" >/dev/null 2>&1 </dev/null || true
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 </dev/null || true
        end=$(date +%s%N)
        times+=($(((end - start) / 1000000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Same output and status as the C program? (Ours names the primary by the -c path.)
check_same() { # TREE ARGS...
    local tree=$1; shift
    local c_out ours_out c_status=0 ours_status=0
    c_out=$(c_run "$tree" "$@" 2>/dev/null </dev/null) || c_status=$?
    ours_out=$(jar_run "$tree" "$@" 2>/dev/null </dev/null) || ours_status=$?
    ours_out=$(printf '%s\n' "$ours_out" | sed "s|$tree/etc/postfix\$|/etc/postfix|")
    c_out=$(printf '%s\n' "$c_out")
    if [ "$c_out" != "$ours_out" ] || [ "$c_status" != "$ours_status" ]; then
        echo "  note: output or status differs from the C program for: postmulti $*" >&2
    fi
}

printf '%s\n' "runs per cell: $runs (median); machine: $(nproc) cores, $(uname -sr); $(java -version 2>&1 | head -1)"
printf '%s\n' "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows every column)"
printf '%-5s %-8s %9s %9s %7s %9s %7s\n' N command "C ms" "jbang ms" "jbang/C" "jar ms" "jar/C"
for n in "${sizes[@]}"; do
    tree=$work/tree-$n
    "$top/bench/make-tree.sh" "$n" "$tree"
    for command in "-l" "-x true" "-z"; do
        # shellcheck disable=SC2086  # the command is a list of words
        set -- $command
        check_same "$tree" "$@"
        c=$(median_ms c_run "$tree" "$@")
        jb=$(median_ms jbang_run "$tree" "$@")
        jar=$(median_ms jar_run "$tree" "$@")
        printf '%-5s %-8s %9d %9d %7s %9d %7s\n' "$n" "$command" "$c" "$jb" "$(ratio "$jb" "$c")" "$jar" "$(ratio "$jar" "$c")"
    done
done

# Peak RSS (kB) of -l on the largest tree: /usr/bin/time reports the largest process among
# the command and the children it waited for (postconf for the C program and for ours; for
# ./jbang, JBang's own JVM as well as ours).
n=${sizes[${#sizes[@]} - 1]}
tree=$work/tree-$n
rss() { /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 </dev/null || true; tail -1 "$work/rss"; }
c_rss=$(rss unshare -m --propagation private sh -c 'mount --bind "$0" /etc/postfix && exec "$@"' \
    "$tree/etc/postfix" "$real" -l)
jar_rss=$(rss "$jar_launcher" -c "$tree/etc/postfix" -l)
jbang_rss=$(rss "$top/jbang" "$top/postmulti.java" -c "$tree/etc/postfix" -l)
echo
echo "peak RSS of -l at N=$n: C ${c_rss} kB, jar ${jar_rss} kB, ./jbang ${jbang_rss} kB"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
