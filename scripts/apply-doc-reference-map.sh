#!/usr/bin/env bash
# Rewrites references to documents outside the repository into references to docs/, by
# the literal replacements of scripts/doc-reference-map.txt (one `old<TAB>new` a line,
# longest first, applied in that order). Idempotent: no new text contains an old text, so
# running it again changes nothing. Skips the map, this script and the checker (which
# spell the old forms on purpose) and binary files. Prints the files it changed.
#
# Usage: scripts/apply-doc-reference-map.sh   then   scripts/check-doc-references.sh
#
# The same with sed (the old texts hold no sed metacharacters but `.`, which then matches
# any character; none of the entries is hurt by that):
#   git grep -lI -e shared/ -e '"shared"' -e DESIGN.md -e STYLE.md -e collapse-theory.md -e log-formats.md \
#       -- . ':!scripts/doc-reference-map.txt' ':!scripts/*doc-reference*.sh' |
#   while read -r f; do while IFS=$'\t' read -r old new; do
#       sed -i "s|${old//|/\\|}|${new//|/\\|}|g" "$f"; done < scripts/doc-reference-map.txt; done
set -euo pipefail

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cd "$root"

git ls-files -z --cached --others --exclude-standard | python3 -c '
import os, sys
SELF = {"scripts/check-doc-references.sh", "scripts/doc-reference-map.txt",
        "scripts/apply-doc-reference-map.sh"}
pairs = []
with open("scripts/doc-reference-map.txt", encoding="utf-8") as handle:
    for line in handle:
        line = line.rstrip("\n")
        if line:
            old, new = line.split("\t")
            pairs.append((old, new))
for path in sys.stdin.read().split("\0"):
    if not path or path in SELF or not os.path.isfile(path):
        continue
    with open(path, "rb") as handle:
        data = handle.read()
    if b"\0" in data[:8192]:
        continue
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        continue
    changed = text
    for old, new in pairs:
        changed = changed.replace(old, new)
    if changed != text:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(changed)
        print(path)
'
