#!/usr/bin/env bash
# Side-by-side wall times of the real C postmulti, ours, and an empty JVM, on generated trees.
#
#   bench/compare.sh [-r RUNS] [-J JAVA_HOME] [N ...]
#
# As root (defaults: 5 runs, N = 1 10 100 500). For each N it writes a tree (bench/make-tree.sh:
# primary + N secondaries, the real shared directories, distinct private ones) and times `-l`;
# a usage error (`-z`) on the smallest tree; `-x true` on the largest; `-p status` on the
# second of three or more (each instance's postfix status costs the same whoever runs it, and
# is slow):
#   C      /usr/sbin/postmulti, in a private mount namespace with the tree's primary bound on
#          /etc/postfix (the only place it reads); it runs $command_directory/postconf once per
#          instance, and sleeps a second after any fatal error, as Postfix programs do
#   hello  a hello-world class run with the launcher's JVM options: the floor of any JVM start
#   jar    the launcher from tools/export.sh (java -jar with the tuned options and archive)
#   jbang  ./jbang postmulti.java -c TREE ... (warm: built and recorded, so the fast path)
#   jar2   with -J: the launcher exported with that Java (24+: an AOT cache), and its own hello
# and prints the median of RUNS runs (after one untimed warm-up run) with the ratios the
# targets are stated in. Then the peak RSS of `-l` on the largest tree. Not a test: numbers
# depend on the machine, and on whatever else runs on it (see the load averages printed).
set -eu
runs=5
java2=
while [ $# -gt 0 ]; do
    case $1 in
        -r) runs=$2; shift 2 ;;
        -J) java2=$2; shift 2 ;;
        *) break ;;
    esac
done
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 10 100 500)

top=$(cd "$(dirname "$0")/.." && pwd -P)
real=/usr/sbin/postmulti
die() { echo "compare.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (unshare -m, mount --bind) for the real postmulti"
[ -x "$real" ] || die "$real is missing (apt-get install postfix)"
command -v unshare >/dev/null || die "unshare(1) is missing (util-linux)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
[ -z "$java2" ] || [ -x "$java2/bin/java" ] || die "-J $java2: no bin/java there"

work=$(mktemp -d /tmp/postmulti-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "building: ./jbang postmulti.java (cached afterwards) and tools/export.sh ..." >&2
# Built, then a run that records its classes (a listing, as an admin's first run would be) and
# one that makes the fast path's archive from them.
"$top/jbang" "$top/postmulti.java" -V >/dev/null
for _ in train dump; do "$top/jbang" "$top/postmulti.java" -c "$top/examples/border-mta/etc/postfix" -l >/dev/null; done
"$top/tools/export.sh" "$work/export" 2>/dev/null
[ -z "$java2" ] || JAVA_HOME=$java2 "$top/tools/export.sh" "$work/export2" 2>/dev/null
java_options=$(sed -n 's|^//JAVA_OPTIONS[[:space:]]*||p' "$top/postmulti.java" | tr '\n' ' ')
mkdir "$work/hello"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' >"$work/hello/Hello.java"
javac -d "$work/hello" "$work/hello/Hello.java"

c_run() { # TREE ARGS...
    local tree=$1; shift
    unshare -m --propagation private sh -c 'mount --bind "$0" /etc/postfix && exec "$@"' \
        "$tree/etc/postfix" "$real" "$@"
}
# shellcheck disable=SC2086  # a list of options
hello_run() { shift; "${JAVA_HOME:+$JAVA_HOME/bin/}java" $java_options -cp "$work/hello" Hello; }
# shellcheck disable=SC2086
hello2_run() { shift; "$java2/bin/java" $java_options -cp "$work/hello" Hello; }
jar_run() { local tree=$1; shift; "$work/export/postmulti" -c "$tree/etc/postfix" "$@"; }
jar2_run() { local tree=$1; shift; JAVA_HOME=$java2 "$work/export2/postmulti" -c "$tree/etc/postfix" "$@"; }
jbang_run() { local tree=$1; shift; "$top/jbang" "$top/postmulti.java" -c "$tree/etc/postfix" "$@"; }

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

row() { # N COMMAND...
    local n=$1 tree=$work/tree-$1; shift
    local c hello jar jbang line
    check_same "$tree" "$@"
    c=$(median_ms c_run "$tree" "$@")
    hello=$(median_ms hello_run "$tree")
    jar=$(median_ms jar_run "$tree" "$@")
    jbang=$(median_ms jbang_run "$tree" "$@")
    line=$(printf '%-5s %-10s %7d %7d %7d %7s %9s %7d %9s' "$n" "$*" "$c" "$hello" "$jar" \
        "$(ratio "$jar" "$c")" "$(ratio "$jar" "$hello")" "$jbang" "$(ratio "$jbang" "$jar")")
    if [ -n "$java2" ]; then
        hello=$(median_ms hello2_run "$tree")
        jar=$(median_ms jar2_run "$tree" "$@")
        line+=$(printf ' %8d %7d %7s %10s' "$hello" "$jar" "$(ratio "$jar" "$c")" "$(ratio "$jar" "$hello")")
    fi
    printf '%s\n' "$line"
}

printf '%s\n' "runs per cell: $runs (median, ms); machine: $(nproc) cores, $(uname -sr); $(java -version 2>&1 | head -1)"
[ -z "$java2" ] || printf '%s\n' "jar2, hello2: $("$java2/bin/java" -version 2>&1 | head -1)"
printf '%s\n' "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows every column)"
header=$(printf '%-5s %-10s %7s %7s %7s %7s %9s %7s %9s' N command C hello jar jar/C jar/hello jbang jbang/jar)
[ -z "$java2" ] || header+=$(printf ' %8s %7s %7s %10s' hello2 jar2 jar2/C jar2/hello2)
printf '%s\n' "$header"
smallest=${sizes[0]}
second=${sizes[1]:-$smallest}
largest=${sizes[${#sizes[@]} - 1]}
for n in "${sizes[@]}"; do
    "$top/bench/make-tree.sh" "$n" "$work/tree-$n"
    row "$n" -l
    [ "$n" != "$smallest" ] || row "$n" -z
    [ "$n" != "$second" ] || [ ${#sizes[@]} -lt 3 ] || row "$n" -p status
    [ "$n" != "$largest" ] || row "$n" -x true
done

# Peak RSS (kB) of -l on the largest tree: /usr/bin/time reports the largest process among
# the command and the children it waited for (postconf for the C program; none for ours once
# postconf -d's answer is cached).
tree=$work/tree-$largest
rss() { /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 </dev/null || true; tail -1 "$work/rss"; }
c_rss=$(rss unshare -m --propagation private sh -c 'mount --bind "$0" /etc/postfix && exec "$@"' \
    "$tree/etc/postfix" "$real" -l)
jar_rss=$(rss "$work/export/postmulti" -c "$tree/etc/postfix" -l)
jbang_rss=$(rss "$top/jbang" "$top/postmulti.java" -c "$tree/etc/postfix" -l)
echo
line="peak RSS of -l at N=$largest: C ${c_rss} kB, jar ${jar_rss} kB, ./jbang ${jbang_rss} kB"
[ -z "$java2" ] || line+=", jar2 $(JAVA_HOME=$java2 rss "$work/export2/postmulti" -c "$tree/etc/postfix" -l) kB"
echo "$line"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
