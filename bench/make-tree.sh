#!/usr/bin/env bash
# Writes a multi-instance tree for the benchmark: a primary plus N secondaries.
#
#   bench/make-tree.sh N DIR      -> DIR/etc/postfix (primary), DIR/etc/postfix-1..N
#
# The shared directories are the real ones (/usr/sbin, ...) because the real C postmulti
# runs $command_directory/postconf for every instance; the private ones (queue, data) are
# distinct per instance and live inside DIR, as postmulti requires. Every secondary has a
# distinct name, one of three groups, and every third is disabled, so -l prints all columns.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 N DIR" >&2; exit 2; }
n=$1 root=$2
# Postfix's stock master.cf (postconf warns about a missing one); ours if not installed.
master_cf=${MASTER_CF:-/usr/share/postfix/master.cf.dist}
[ -f "$master_cf" ] || master_cf=/etc/postfix/master.cf
rm -rf "$root"
mkdir -p "$root/etc/postfix"
cp "$master_cf" "$root/etc/postfix/master.cf"

dirs=()
for i in $(seq 1 "$n"); do
    dir=$root/etc/postfix-$i
    # The queue directory exists, so that `postfix status` (postmulti -p) answers at once
    # instead of dying (and sleeping a second, as Postfix programs do after a fatal error).
    mkdir -p "$dir" "$root/var/spool/postfix-$i"
    if [ $((i % 3)) -eq 0 ]; then enable=no; else enable=yes; fi
    cp "$master_cf" "$dir/master.cf"
    cat >"$dir/main.cf" <<CF
queue_directory = $root/var/spool/postfix-$i
data_directory = $root/var/lib/postfix-$i
multi_instance_name = postfix-$i
multi_instance_group = group$((i % 3))
multi_instance_enable = $enable
master_service_disable = inet
CF
    dirs+=("$dir")
done

{
    echo "command_directory = /usr/sbin"
    echo "daemon_directory = /usr/lib/postfix/sbin"
    echo "shlib_directory = /usr/lib/postfix"
    echo "meta_directory = /etc/postfix"
    echo "queue_directory = $root/var/spool/postfix"
    echo "data_directory = $root/var/lib/postfix"
    echo "multi_instance_wrapper = \${command_directory}/postmulti -p --"
    echo "multi_instance_enable = yes"
    # One directory per continuation line, as postmulti -e create writes them.
    printf 'multi_instance_directories ='
    sep=' '
    for d in "${dirs[@]}"; do printf '%s%s' "$sep" "$d"; sep=$'\n\t'; done
    echo
} >"$root/etc/postfix/main.cf"
