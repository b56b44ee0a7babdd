#!/usr/bin/env bash
# Builds the Debian packages from this checkout, offline:
#   packaging/build-deb.sh [--out DIR] [--version V] [--server-only] [--extra-migration FILE.ts] [--cache DIR] [--fast]
# -> DIR/linli-server_<V>_<arch>.deb and DIR/linli-kiosk_<V>_<arch>.deb (default DIR: packaging/dist).
# Both are arch-specific: they carry better-sqlite3 compiled on this machine. --extra-migration is for the upgrade
# tests only (it builds an "N+1" package whose schema has one more migration). --cache DIR reuses the staged server
# tree when none of its inputs changed (see scripts/stage-server.mjs); --fast compresses with gzip -1 instead of -9
# (same format, bigger files: for tests).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out="$here/dist"
version="$(node -p "require('$repo/signage-server/package.json').version")"
server_only=false
extra=()
cache=()
level=9
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --server-only) server_only=true; shift ;;
    --extra-migration) extra=(--extra-migration "$(realpath "$2")"); shift 2 ;;
    --cache) cache=(--cache "$2"); shift 2 ;;
    --fast) level=1; shift ;;
    *) echo "build-deb: unknown option $1" >&2; exit 2 ;;
  esac
done
arch="$(dpkg --print-architecture)"
mkdir -p "$out"
out="$(realpath "$out")"
work="$(mktemp -d "${TMPDIR:-/tmp}/linli-deb-XXXXXX")"
trap 'rm -rf "$work"' EXIT
maintainer="Linli maintainers <linli@lists.linli.invalid>"

# Files every package carries in /usr/share/doc/<package> (Debian policy 12.5, 12.7).
docs() {
  local package="$1" root="$2"
  local doc="$root/usr/share/doc/$package"
  install -d "$doc"
  install -m 0644 "$here/README.md" "$doc/README.md"
  cat > "$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: linli
Source: https://github.com/linli-community/linli

Files: *
Copyright: Linli contributors
License: AGPL-3.0-or-later
 On Debian systems, the full text of the GNU Affero General Public License version 3 can be found at
 https://www.gnu.org/licenses/agpl-3.0.txt (it is not shipped in common-licenses).
 .
 Bundled npm modules under /usr/lib/linli keep their own licenses (MIT, ISC, BSD, Apache-2.0); each
 module's package.json names it.
COPYRIGHT
  printf '%s (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' \
    "$package" "$version" "$version" "$maintainer" "$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}")" \
    | gzip -9n > "$doc/changelog.gz"
}

# What Debian policy (and lintian) expect of shipped npm trees: no build-time test objects or dotfiles for other
# tools, native objects stripped and not executable.
tidy() {
  local root="$1"
  find "$root/usr/lib/linli" -depth \( -name .npmignore -o -name '.eslintrc*' -o -name .gitignore -o -name .gitattributes \
    -o -name .editorconfig -o -name .travis.yml -o -name test_extension.node \) -exec rm -rf {} +
  find "$root/usr/lib/linli" -name '*.node' -type f -exec strip --strip-unneeded {} \; -exec chmod 0644 {} \;
}

# control, md5sums, maintainer scripts; then the .deb itself
assemble() {
  local package="$1" root="$2" depends="$3" description="$4" scripts_dir="$5" section="$6"
  tidy "$root"
  install -d "$root/DEBIAN"
  for script in preinst postinst prerm postrm; do
    [ -f "$scripts_dir/$script" ] && install -m 0755 "$scripts_dir/$script" "$root/DEBIAN/$script"
  done
  (cd "$root" && find etc -type f 2>/dev/null | sed 's|^|/|' | sort) > "$root/DEBIAN/conffiles"
  [ -s "$root/DEBIAN/conffiles" ] || rm "$root/DEBIAN/conffiles"
  local size
  size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
  cat > "$root/DEBIAN/control" <<CONTROL
Package: $package
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Section: $section
Priority: optional
Homepage: https://github.com/linli-community/linli
Description: $description
CONTROL
  (cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort | xargs -d '\n' md5sum) \
    > "$root/DEBIAN/md5sums"
  dpkg-deb --root-owner-group -Zgzip -z"$level" --build "$root" "$out/${package}_${version}_${arch}.deb" >/dev/null
  echo "build-deb: $out/${package}_${version}_${arch}.deb"
}

# ---- linli-server --------------------------------------------------------------------------------------------
server="$work/linli-server"
node "$here/scripts/stage-server.mjs" "$server/usr/lib/linli/server" "${extra[@]}" "${cache[@]}"
install -D -m 0755 "$here/server/linli" "$server/usr/bin/linli"
install -D -m 0644 "$here/server/linli.env" "$server/etc/linli/linli.env"
for unit in linli-server.service linli-purge.service linli-purge.timer; do
  install -D -m 0644 "$here/server/$unit" "$server/lib/systemd/system/$unit"
done
install -D -m 0644 "$here/server/linli.sysusers" "$server/usr/lib/sysusers.d/linli.conf"
install -D -m 0644 "$here/server/linli.tmpfiles" "$server/usr/lib/tmpfiles.d/linli.conf"
docs linli-server "$server"
assemble linli-server "$server" "nodejs (>= 20), libc6 (>= 2.36), libstdc++6, systemd" \
  "community kiosk and digital signage server (Linli)
 Linli (邻里) runs touchscreen kiosks and signage screens for residential
 communities. This package installs the server (CMS, station console,
 device API) as the hardened systemd service linli-server, the linli admin
 CLI (backup, restore, migrate, status, doctor) and a daily retention timer." \
  "$here/server" web

$server_only && exit 0

# ---- linli-kiosk ---------------------------------------------------------------------------------------------
kiosk="$work/linli-kiosk"
node "$here/scripts/stage-kiosk.mjs" "$kiosk/usr/lib/linli/kiosk"
install -D -m 0755 "$here/kiosk/linli-kiosk-session" "$kiosk/usr/lib/linli/kiosk/bin/linli-kiosk-session"
install -D -m 0644 "$here/kiosk/kiosk.env" "$kiosk/etc/linli/kiosk.env"
install -D -m 0644 "$here/kiosk/linli-kiosk.service" "$kiosk/lib/systemd/system/linli-kiosk.service"
install -D -m 0644 "$here/kiosk/60-linli-card-readers.rules" "$kiosk/lib/udev/rules.d/60-linli-card-readers.rules"
install -D -m 0644 "$here/kiosk/linli-kiosk.sysusers" "$kiosk/usr/lib/sysusers.d/linli-kiosk.conf"
install -D -m 0644 "$here/kiosk/linli-kiosk.tmpfiles" "$kiosk/usr/lib/tmpfiles.d/linli-kiosk.conf"
docs linli-kiosk "$kiosk"
# tsx (which runs the kiosk host from source) carries esbuild, a statically linked Go binary by design
install -D -m 0644 /dev/stdin "$kiosk/usr/share/lintian/overrides/linli-kiosk" <<'OVERRIDES'
linli-kiosk: statically-linked-binary [usr/lib/linli/kiosk/node_modules/@esbuild/*/bin/esbuild]
linli-kiosk: statically-linked-binary [usr/lib/linli/kiosk/node_modules/esbuild/bin/esbuild]
OVERRIDES
assemble linli-kiosk "$kiosk" "nodejs (>= 20), libc6 (>= 2.36), libstdc++6, systemd, cage, chromium, pcscd" \
  "locked touchscreen kiosk session for Linli
 Runs the Linli kiosk host as a systemd service on tty1 inside cage, a
 Wayland kiosk compositor, with Chromium in kiosk mode on the host's local
 page: no desktop, auto-start, restart on crash, screen blanking off. Includes
 udev rules so USB card readers work without root, and enables pcscd." \
  "$here/kiosk" misc
