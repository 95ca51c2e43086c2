# The system the lab's nodes run (PGHA_LAB_PLATFORM) and its facts. Sourced by lib.sh, so by every lab
# script, and by ocf/package/check-deb, with the platform's name as its argument (empty: debian12).
# Each platform is one file under platforms/ that sets the facts; no other script asks which platform
# it is, it reads the facts:
#   LAB_SUITE          the Debian suite (bookworm, trixie)
#   LAB_PG_MAJOR       the PostgreSQL major version the nodes run, LAB_PGBIN its binaries
#   LAB_ROOT_PACKAGES  what the platform's own root holds; empty: the nodes run the host's system
#   LAB_ROOT           the directory the nodes enter (built by ocf/lab/rootfs); empty: the host's /
# and LAB_PLATFORM, LAB_PLATFORMS (every supported name).

LAB_PLATFORM_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
LAB_PLATFORMS=$(cd "$LAB_PLATFORM_DIR/platforms" && echo *)
LAB_PLATFORM=${1:-debian12}
# An unknown name stops everything at once, before any script has done anything.
[[ " $LAB_PLATFORMS " == *" $LAB_PLATFORM "* ]] \
    || { echo "PGHA_LAB_PLATFORM=$LAB_PLATFORM: not a supported platform; supported: $LAB_PLATFORMS" >&2; exit 2; }
LAB_SUITE= LAB_PG_MAJOR= LAB_PGBIN= LAB_ROOT_PACKAGES=
source "$LAB_PLATFORM_DIR/platforms/$LAB_PLATFORM"

# A platform with packages of its own has a root of its own, named after what makes it: the platform's
# facts and the builder (rootfs, in-root). A changed package list (or builder) is another directory, so a
# root is never reused for a list it was not built from; the old one stays until removed by hand.
LAB_ROOT_CACHE=${PGHA_LAB_ROOT_CACHE:-/var/cache/pgha-lab}
LAB_ROOT=
if [ -n "$LAB_ROOT_PACKAGES" ]; then
    LAB_ROOT=$LAB_ROOT_CACHE/$LAB_PLATFORM-$(cd "$LAB_PLATFORM_DIR" && cat "platforms/$LAB_PLATFORM" rootfs in-root \
        | sha256sum | cut -c1-12)
fi

# The Debian archive apt uses here (the URI of the first deb source for this host's own suite), for
# debootstrap; PGHA_DEBIAN_MIRROR overrides it. The same archive serves every suite.
debian_mirror() {
    [ -n "${PGHA_DEBIAN_MIRROR:-}" ] && { echo "$PGHA_DEBIAN_MIRROR"; return; }
    local host_suite f
    host_suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822: stanzas separated by blank lines.
        awk -v suite="$host_suite" 'BEGIN { RS = ""; FS = "\n" }
             { types = ""; uris = ""; suites = ""
               for (i = 1; i <= NF; i++) {
                   if ($i ~ /^Types:/) types = $i
                   if ($i ~ /^URIs:/) uris = $i
                   if ($i ~ /^Suites:/) suites = $i
               }
               if (types ~ /[ \t]deb([ \t]|$)/ && suites ~ ("[ \t]" suite "([ \t]|$)")) {
                   sub(/^URIs:[ \t]*/, "", uris); split(uris, u, /[ \t]+/); print u[1]; exit
               } }' "$f"
    done | sed -n 1p | grep . && return
    # One-line format: deb [options] URI SUITE COMPONENTS...
    sed -E 's/\[[^]]*\]//' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | awk -v suite="$host_suite" '$1 == "deb" && $3 == suite && !found { print $2; found = 1 }' | grep . && return
    echo http://deb.debian.org/debian
}
