#!/usr/bin/env bash
# ensure-deb.sh PACKAGE... — install the Debian packages that are not installed yet, with
# one apt-get update first. Installs only as root (apt-get needs it); otherwise it says
# what to run and fails.
set -euo pipefail
missing=()
for pkg in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$pkg")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "ensure-deb: missing Debian packages; install them with: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "ensure-deb: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
