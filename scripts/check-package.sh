#!/usr/bin/env bash
# Installs the package `make package` built, as a user would (apt-get install
# ./distlab_*.deb), and runs the installed program: --version, the demo with its
# page, the man page and the bash completion. CI runs it on its clean machine.
# Usage: scripts/check-package.sh [BUILD]
set -euo pipefail
build=${1:-build}
debs=("$build"/distlab_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { echo "check-package: expected one $build/distlab_*.deb (make package)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends "./${debs[0]}" >/dev/null
installed=$(command -v distlab)
[ "$installed" = /usr/bin/distlab ] || { echo "check-package: distlab is $installed, not /usr/bin/distlab" >&2; exit 1; }
distlab --version
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && distlab demo --html demo.html >demo.txt)
grep -q "Question 3" "$work/demo.txt" || { echo "check-package: the demo did not tell its story" >&2; exit 1; }
grep -q "<svg class=\"diagram\"" "$work/demo.html" || { echo "check-package: no diagram in demo.html" >&2; exit 1; }
test -s /usr/share/man/man1/distlab.1 || { echo "check-package: no man page" >&2; exit 1; }
grep -q "distlab bully" /usr/share/man/man1/distlab.1 || { echo "check-package: the man page lacks the commands" >&2; exit 1; }
completion=$(bash -c 'source /usr/share/bash-completion/completions/distlab
  COMP_WORDS=(distlab launch bul); COMP_CWORD=2; _distlab; echo "${COMPREPLY[*]}"')
[ "$completion" = bully ] || { echo "check-package: completion gave '$completion' for 'distlab launch bul'" >&2; exit 1; }
echo "check-package: ${debs[0]} installs /usr/bin/distlab; the demo, man page and completion work"
