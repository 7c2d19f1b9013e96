#!/bin/sh
# need-pkgs.sh PURPOSE PKG... - make sure Debian packages are installed.
#
# Missing packages are installed with apt-get when running as root;
# otherwise the exact command to run is printed and the status is 1.
# Does nothing on systems without dpkg.  With TRACE_TOOLS_PACKAGE_BUILD
# set (debian/rules sets it) nothing is ever installed: a package build
# gets its packages from Build-Depends, and a missing one is an error.
purpose=$1
shift
command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=
for p in "$@"; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case $s in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ -z "${TRACE_TOOLS_PACKAGE_BUILD:-}" ] && [ "$(id -u)" = 0 ] &&
    command -v apt-get >/dev/null 2>&1; then
	echo "installing Debian packages for $purpose:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# An out-of-date package index is the usual reason an install fails.
	apt-get install -y -q $missing >/dev/null 2>&1 ||
	{ apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null; } ||
	{ echo "need-pkgs: apt-get install$missing failed" >&2; exit 1; }
	exit 0
fi
echo "missing Debian packages for $purpose:$missing" >&2
echo "install them with: sudo apt-get install$missing" >&2
exit 1
