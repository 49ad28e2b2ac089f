#!/usr/bin/env bash
# Exports postmulti as one jar tuned for a short-lived command, plus a launcher for it.
#
#   tools/export.sh [DIR]          (default: build, in the checkout)
#
# writes
#   DIR/postmulti.jar   `jbang export fatjar`: our classes and picocli, runs with `java -jar`
#   DIR/postmulti.jsa   with Java 17 to 23: a class data sharing archive (AppCDS) made by
#                       training runs, so the JVM maps our classes and the JDK's already parsed
#                       and verified instead of loading them from the jars one by one
#   DIR/postmulti.aot   with Java 24 or later instead: an AOT cache (JEP 483, 514), which also
#                       keeps the classes linked and the archived heap (Java 17's archive has no
#                       heap with the serial collector, only with G1)
#   DIR/postmulti       a launcher: java with the tuned options, the archive and the jar
#   DIR/postmulti.classlist  with Java 17 to 23: the classes the training runs loaded, to make
#                       the archive again for another java (the Debian package does, at install time)
#
# The java is $JAVA_HOME/bin/java, else the one on PATH; the archive belongs to it and to this
# jar (its path and modification time): rerun this script after updating either. A stale or
# missing archive is not an error: the JVM then starts without it (just slower). Java 17 has no
# -XX:+AutoCreateSharedArchive (JDK 19+), so the archive is made here: each training run
# writes the list of classes it loaded (-XX:DumpLoadedClassList), and one -Xshare:dump turns
# the union into a static archive. Java 24+ records one training run (-XX:AOTCacheOutput).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd -P)
out=${1:-$top/build}
mkdir -p "$out"
out=$(cd "$out" && pwd -P)
java_cmd=${JAVA_HOME:+$JAVA_HOME/bin/}java

# The options from the //JAVA_OPTIONS line of postmulti.java, so that the jar runs as
# `./jbang postmulti.java` does (one place to tune them).
java_options=$(sed -n 's|^//JAVA_OPTIONS[[:space:]]*||p' "$top/postmulti.java" | tr '\n' ' ')

"$top/jbang" export fatjar --force -O "$out/postmulti.jar" "$top/postmulti.java" >&2

# Training runs over a small tree like the ones postmulti manages (generated, in a temporary
# directory), covering list mode, the iterators and a usage error. Not --help: picocli's help
# loads about 400 classes of its own, and an archive holding them costs every run about 3 MB
# more memory (the JVM touches all of an archive's pages); help is not worth that.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$top/bench/make-tree.sh" 3 "$work/tree"
java_version=$("$java_cmd" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
rm -f "$out/postmulti.jsa" "$out/postmulti.aot" "$out/postmulti.classlist"
if [ "${java_version%%.*}" -ge 24 ]; then
    # One training run is all an AOT cache takes: the listing, the most frequent command.
    # An AOT cache refuses any -Xshare option (it is one, of sorts).
    java_options=${java_options//-Xshare:auto/}
    # shellcheck disable=SC2086  # a list of options
    "$java_cmd" $java_options -XX:AOTCacheOutput="$out/postmulti.aot" -jar "$out/postmulti.jar" \
        -c "$work/tree/etc/postfix" -l </dev/null >"$work/dump.log" 2>&1 || { cat "$work/dump.log" >&2; exit 1; }
    # Unknown to a Java before 24 (should JAVA_HOME point to one later): ignored, not fatal.
    archive_options='-XX:+IgnoreUnrecognizedVMOptions -XX:AOTCache="$here/postmulti.aot"'
else
    train() {
        # shellcheck disable=SC2086  # a list of options
        "$java_cmd" $java_options -Xshare:off -XX:DumpLoadedClassList="$work/classes.$1" \
            -jar "$out/postmulti.jar" -c "$work/tree/etc/postfix" "${@:2}" >/dev/null 2>&1 </dev/null || true
    }
    train 1 -l
    train 2 -l -j -R -g group1
    train 3 -x true
    train 4 -z
    cat "$work"/classes.* >"$out/postmulti.classlist"
    # shellcheck disable=SC2086
    "$java_cmd" $java_options -Xshare:dump -XX:SharedClassListFile="$out/postmulti.classlist" \
        -XX:SharedArchiveFile="$out/postmulti.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
        -cp "$out/postmulti.jar" >"$work/dump.log" 2>&1 || { cat "$work/dump.log" >&2; exit 1; }
    # -Xshare:auto (in //JAVA_OPTIONS) keeps it working when the archive is stale.
    archive_options='-XX:SharedArchiveFile="$here/postmulti.jsa"'
fi

# The launcher finds the jar and the archive next to itself (also when it is reached through
# a symbolic link, say from /usr/local/bin).
# -Xlog:cds=off keeps the JVM's complaint about a stale archive off our stdout, which belongs
# to postmulti's output.
cat >"$out/postmulti" <<EOF
#!/bin/sh
# postmulti, exported by tools/export.sh: the jar with the tuned JVM options and its archive.
# As a Postfix program: closed standard descriptors become /dev/null (before the JVM could open
# a file there), and umask 022 (the JVM cannot set its own; commands run by -x and -p inherit it).
if [ -d /proc/\$\$/fd ]; then
    for fd in 0 1 2; do
        [ -L /proc/\$\$/fd/\$fd ] || eval "exec \$fd<>/dev/null"
    done
fi
umask 022
here=\$(readlink -f "\$0")
here=\${here%/*}
exec "\${JAVA_HOME:+\$JAVA_HOME/bin/}java" $java_options $archive_options -Xlog:cds=off -Xlog:cds+dynamic=off -jar "\$here/postmulti.jar" "\$@"
EOF
chmod +x "$out/postmulti"
echo "exported: $out/postmulti (runs: java ... -jar $out/postmulti.jar)" >&2
