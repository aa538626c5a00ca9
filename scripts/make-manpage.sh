#!/usr/bin/env bash
# Writes distlab's man page from its own help texts (help2man), so it is never
# written twice: the program's --help and --version, then a COMMANDS section with
# every command's --help. Usage: scripts/make-manpage.sh BUILD/distlab OUT.1
set -euo pipefail
binary=$1
out=$2
include=$(mktemp)
trap 'rm -f "$include"' EXIT
{
  echo "[COMMANDS]"
  # The commands, as the completion script's top-level arm lists them (the one place
  # the program gives its command names in a form made to be read back).
  for command in $("$binary" completion bash | sed -n 's/^    "") words="\(.*\)" ;;$/\1/p'); do
    case $command in -*) continue ;; esac
    echo ".SS \"distlab $command\""
    echo ".nf"
    "$binary" "$command" --help | sed 's/\\/\\\\/g; s/^\./\\\&./'
    echo ".fi"
  done
  echo "[SEE ALSO]"
  echo "/usr/share/doc/distlab/README.md, and the guides beside it."
} >"$include"
help2man --no-info --section 1 --name "classic distributed algorithms, simulated deterministically or run as real processes" \
  --include "$include" --output "$out.tmp" "$binary"
mv "$out.tmp" "$out"
