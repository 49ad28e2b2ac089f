#!/usr/bin/env bash
# Builds the Debian package that makes postmulti.java the host's /usr/sbin/postmulti.
#
#   tools/build-deb.sh          writes build/<package>_<version>_all.deb, prints its path last
#
# The jar, its class list and the launcher come from tools/export.sh (offline once JBang's
# cache holds picocli); the maintainer scripts and metadata from packaging/. The version is the
# one postmulti -V prints (POSTMULTI_DEB_VERSION overrides it, to build an upgrade).
# docs/PACKAGE.md describes what the package installs and what its scripts do.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd -P)
package=postmulti-java
version=${POSTMULTI_DEB_VERSION:-$(sed -n 's/.*VERSION = "postmulti.java \([^ "]*\).*/\1/p' "$top/postmulti.java")}
[ -n "$version" ] || { echo "build-deb: no version found in postmulti.java" >&2; exit 1; }
deb=$top/build/${package}_${version}_all.deb

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$top/tools/export.sh" "$work/export" >&2
java_options=$(sed -n 's|^//JAVA_OPTIONS[[:space:]]*||p' "$top/postmulti.java" | tr '\n' ' ' | sed 's/ *$//')

# Files as dpkg-deb --root-owner-group packs them: root-owned, 0755 directories, 0644 files.
tree=$work/tree
umask 022
share=$tree/usr/share/$package
doc=$tree/usr/share/doc/$package
install -d "$share" "$doc" "$tree/usr/sbin" "$tree/usr/share/man/man1" \
    "$tree/usr/share/bash-completion/completions" "$tree/DEBIAN"
install -m 644 "$work/export/postmulti.jar" "$work/export/postmulti.classlist" "$share/"
install -m 755 "$work/export/postmulti" "$share/postmulti"
# The launcher finds the jar next to its real path, and the archive the same way: the archive
# itself is made by postinst for the installed java, in /var/cache.
ln -s ../share/$package/postmulti "$tree/usr/sbin/postmulti"
ln -s /var/cache/$package/postmulti.jsa "$share/postmulti.jsa"
gzip -9n <"$top/postmulti.1" >"$tree/usr/share/man/man1/postmulti.1.gz"
# A completion file is sourced, not run: without the generated "#!/usr/bin/env bash" line.
sed '1{/^#!/d}' "$top/postmulti.bash" >"$tree/usr/share/bash-completion/completions/postmulti"

fill() {
    sed -e "s|@PACKAGE@|$package|g" -e "s|@VERSION@|$version|g" -e "s|@JAVA_OPTIONS@|$java_options|g" \
        -e "s|@DATE@|$(date -R -d "@$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)")|g" \
        -e "s|@INSTALLED_SIZE@|${installed_size:-}|g" "$top/packaging/$1"
}
fill copyright >"$doc/copyright"
fill changelog | gzip -9n >"$doc/changelog.gz"
for script in preinst postinst postrm; do
    fill "$script" >"$tree/DEBIAN/$script"
    chmod 755 "$tree/DEBIAN/$script"
done
install -m 644 "$top/packaging/triggers" "$tree/DEBIAN/triggers"
(cd "$tree" && find usr -type f -exec md5sum {} + | sort -k 2) >"$tree/DEBIAN/md5sums"
chmod 644 "$tree/DEBIAN/md5sums"
installed_size=$(du -k -s --apparent-size --exclude=DEBIAN "$tree" | cut -f1)
fill control.in >"$tree/DEBIAN/control"

mkdir -p "$top/build"
dpkg-deb --root-owner-group -Zxz --build "$tree" "$deb" >&2
echo "$deb"
