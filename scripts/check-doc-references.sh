#!/usr/bin/env bash
# Checks that the repository's code, tests and documents refer only to documents inside the
# repository, and that every section they cite exists.
#
# Fails, listing file:line and the reason, when a tracked (or new, not ignored) file
#   - refers outside the repository: a path through `../shared`, `shared/reference`,
#     `shared/data` or any other `shared/…`, or the notes `DESIGN.md`, `STYLE.md`,
#     `exact-curves.md` that live there;
#   - names one of docs/'s pages bare (`collapse-theory.md`, `log-formats.md`, …) outside
#     docs/, where only `docs/NAME.md` says which file is meant;
#   - names a `docs/NAME.md` that does not exist;
#   - cites a section that the page lacks: `docs/NAME.md §N` (also `§1.1–1.2`, `§1.2(e)`,
#     `§1.2 (a)`, `§9a`, `§11 and §12`), or a section by title, `docs/NAME.md, "Title"`.
#     Inside docs/, a page's own `[NAME.md](NAME.md) §N` is checked the same way.
#
# Usage: scripts/check-doc-references.sh              check this repository
#        scripts/check-doc-references.sh --self-test  check that the checker finds planted faults
# Needs bash, git and python3 (standard library only).
set -euo pipefail

if [ "${1:-}" = "--self-test" ]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    mkdir -p "$scratch/docs" "$scratch/src"
    printf '# Page\n\n## 1. One\n\n### 1.2 Laws\n\n**(a)** a law\n\n## 9a. Sub\n\n## Exit status\n' > "$scratch/docs/page.md"
    {
        echo 'good: docs/page.md §1, §1.2(a), §1.2a, §1.2 (a), §9a, §1–1.2, "Exit status" below'
        echo 'good: (docs/page.md, "Exit status") and docs/page.md §1 and §1.2'
        echo 'bad 1: docs/page.md §2'
        echo 'bad 2: docs/page.md §1.2(b)'
        echo 'bad 3: docs/page.md §1 and §7'
        echo 'bad 4: (docs/page.md, "No such section")'
        echo 'bad 5: docs/missing.md'
        echo 'bad 6: see page.md §1'
        echo 'bad 7: ../shared/reference/notes.md'
        echo 'bad 8: DESIGN.md'
        echo 'bad 9: os.path.join(ROOT, "..", "shared", "data")'
    } > "$scratch/src/probe.txt"
    git -C "$scratch" init -q
    if out=$(CHECK_DOC_ROOT="$scratch" "$0" 2>&1); then
        echo "self-test FAILED: the planted faults passed"; exit 1
    fi
    found=$(printf '%s\n' "$out" | grep -c '^src/probe.txt:' || true)
    bad=$(printf '%s\n' "$out" | grep '^src/probe.txt:' | grep -vc ': bad [0-9]' || true)
    if [ "$found" -ne 9 ] || [ "$bad" -ne 0 ]; then
        printf '%s\n' "$out"; echo "self-test FAILED: expected the 9 planted faults and nothing else"; exit 1
    fi
    echo "self-test passed: the 9 planted faults found, the good references accepted"
    exit 0
fi

root=${CHECK_DOC_ROOT:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}
cd "$root"

git ls-files -z --cached --others --exclude-standard | python3 -c '
import os, re, sys

# The checker, the reference map and its applier spell the forbidden forms on purpose.
SELF = {"scripts/check-doc-references.sh", "scripts/doc-reference-map.txt",
        "scripts/apply-doc-reference-map.sh"}
files = [f for f in sys.stdin.read().split("\0") if f and f not in SELF and os.path.isfile(f)]
docs = {os.path.basename(f)[:-3]: f for f in files if re.fullmatch(r"docs/[^/]+\.md", f)}

OUTSIDE_PATH = re.compile(r"(?<![\w./-])(?:\.\./)*shared/")
OUTSIDE_JOIN = re.compile(r"""[\x27"]\.\.[\x27"]\s*,\s*[\x27"]shared[\x27"]""")   # os.path.join(…, "..", "shared")
OUTSIDE_NOTE = re.compile(r"(?<![\w./-])(DESIGN|STYLE|exact-curves)\.md\b")
BARE_DOC = re.compile(r"(?<![\w./-])(" + "|".join(map(re.escape, sorted(docs, key=len, reverse=True))) + r")\.md\b") if docs else None
DOC_REF = re.compile(r"(?<![\w.-])docs/([\w.-]+)\.md\b")
SECTION_ID = r"(\d+[a-z]?(?:\.\d+)*)(?:\s?\(([a-z])\)|(?<=\d)([a-z])\b)?"
SECTIONS = re.compile(r"`?\)?,?\s*§\s*" + SECTION_ID + r"((?:\s*(?:–|-|,|and|or|to)\s*§?\s*" + SECTION_ID + r")*)")
MORE = re.compile(r"\s*(?:–|-|,|and|or|to)\s*§?\s*" + SECTION_ID)
TITLE = re.compile(r",\s*\"([^\"]+)\"|\s*\(\"([^\"]+)\"\)")

heading_cache = {}
def headings(name):
    """Section ids (1, 1.2, 9a) with the text under each, and the titles, of docs/NAME.md."""
    if name in heading_cache:
        return heading_cache[name]
    ids, titles, current = {}, [], None
    with open(docs[name], encoding="utf-8", errors="replace") as handle:
        for line in handle:
            m = re.match(r"#+\s+(.*?)\s*$", line)
            if m:
                title = m.group(1)
                n = re.match(r"(\d+[a-z]?(?:\.\d+)*)\.?\s+(.*)", title)
                current = n.group(1) if n else None
                if current:
                    ids[current] = ""
                titles.append((n.group(2) if n else title).lower())
            elif current:
                ids[current] += line
    heading_cache[name] = (ids, titles)
    return heading_cache[name]

def section_problem(name, number, item):
    ids, _ = headings(name)
    if item is None:
        return None if number in ids else "§" + number
    if number + item in ids:          # §9a: a heading of its own
        return None
    if number in ids:
        # §1.2(e): an item (e) of that section, or of one of its subsections.
        text = "".join(body for key, body in ids.items() if key == number or key.startswith(number + "."))
        if "(" + item + ")" in text:
            return None
    return "§" + number + "(" + item + ")"

problems = []
def report(path, lineno, message, line):
    problems.append("%s:%d: %s: %s" % (path, lineno, message, line.strip()[:160]))

for path in files:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        continue
    if b"\0" in data[:8192]:
        continue
    in_docs = path.startswith("docs/")
    for lineno, line in enumerate(data.decode("utf-8", errors="replace").split("\n"), 1):
        if ("shared/" in line and OUTSIDE_PATH.search(line)) or ("shared" in line and OUTSIDE_JOIN.search(line)):
            report(path, lineno, "refers outside the repository (shared/)", line)
        m = OUTSIDE_NOTE.search(line)
        if m:
            report(path, lineno, "refers to %s.md, which is not in the repository" % m.group(1), line)
        if ".md" not in line:
            continue
        refs = []   # (page name, index just after the name)
        for m in DOC_REF.finditer(line):
            if m.group(1) not in docs:
                report(path, lineno, "docs/%s.md does not exist" % m.group(1), line)
            else:
                refs.append((m.group(1), m.end()))
        if BARE_DOC:
            for m in BARE_DOC.finditer(line):
                if in_docs:
                    refs.append((m.group(1), m.end()))   # relative to docs/ itself
                else:
                    report(path, lineno, "names %s.md without its folder: write docs/%s.md" % (m.group(1), m.group(1)), line)
        for name, end in refs:
            rest = line[end:]
            if in_docs and rest.startswith("]("):
                continue   # the link text of [NAME.md](NAME.md); the target follows
            s = SECTIONS.match(rest)
            if s:
                cited = [(s.group(1), s.group(2) or s.group(3))]
                cited += [(m.group(1), m.group(2) or m.group(3)) for m in MORE.finditer(s.group(4) or "")]
                for number, item in cited:
                    missing = section_problem(name, number, item)
                    if missing:
                        report(path, lineno, "docs/%s.md has no %s" % (name, missing), line)
            t = TITLE.match(rest)
            if t:
                wanted = (t.group(1) or t.group(2)).lower()
                if not any(wanted == title or title.startswith(wanted) for title in headings(name)[1]):
                    report(path, lineno, "docs/%s.md has no section \"%s\"" % (name, t.group(1) or t.group(2)), line)

if problems:
    print("\n".join(problems), flush=True)
    print("%d reference problem(s) in %d file(s)" % (len(problems), len({p.split(":")[0] for p in problems})), file=sys.stderr)
    sys.exit(1)
print("doc references: %d files checked, every reference resolves inside the repository" % len(files))
'
