#!/usr/bin/env python3
"""Lists the names LevelDB 1.23 declares, for tests/fixtures/leveldb_names.txt (tests/map_test.rs checks the map's
LevelDB column against it).

    scripts/leveldb_names.py LEVELDB_SOURCE_DIR > tests/fixtures/leveldb_names.txt

LEVELDB_SOURCE_DIR is a checkout of google/leveldb at tag 1.23 (commit 99b3c03b3284f5886f9ef9a4ef703d57373e61be),
for example `git archive 99b3c03b | tar -x -C /tmp/leveldb-1.23`.

A name is written as LevelDB's code names it from inside `namespace leveldb`: `DBImpl::Write`,
`log::Writer::AddRecord`, `config::kL0_StopWritesTrigger`, `Block::Iter::Seek`, `FindFile`. It lists the classes,
structs and enums (and their enumerators), the functions and methods (declared, or defined out of line), the fields
and constants of classes, and the constants of namespaces, of the library's sources (include/leveldb, db, table,
util, helpers; not the tests and benchmarks). This is not a C++ parser: it reads LevelDB's own regular style, scope by
scope, and keeps what is declared outside function bodies.
"""

import os
import re
import sys

TOKEN = re.compile(r"[A-Za-z_]\w*|::|\S")


def strip(text):
    """The code without comments, string and character literals, and preprocessor lines."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append('""' if c == '"' else "' '")
            i = j + 1
        elif c == "#" and (i == 0 or text[i - 1] == "\n"):
            # A preprocessor line, with its continuations.
            while i < n and text[i] != "\n":
                i += 2 if text.startswith("\\\n", i) else 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def drop_template_args(tokens):
    """The tokens without `template <...>` and without the `<...>` after a name (`SkipList<Key, Cmp>::Insert`)."""
    out = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t == "<" and out and (out[-1] == "template" or re.match(r"[A-Za-z_]", out[-1])):
            depth = 0
            while i < len(tokens):
                depth += tokens[i] == "<"
                depth -= tokens[i] == ">"
                i += 1
                if depth == 0:
                    break
            if out[-1] == "template":
                out.pop()
            continue
        out.append(t)
        i += 1
    return out


def chain_before(tokens, end):
    """The qualified name ending just before tokens[end]: `DBImpl :: Write` gives ['DBImpl', 'Write']."""
    names = []
    i = end - 1
    while i >= 0 and re.match(r"[A-Za-z_]\w*$", tokens[i]):
        names.insert(0, tokens[i])
        if i >= 1 and tokens[i - 1] == "::":
            i -= 2
        else:
            break
    if names and names[0] == "operator" or (i >= 0 and tokens[i] in ("operator", "~")):
        return []
    return names


KEYWORDS = {"class", "struct", "union", "enum"}
# Words a declaration the scanner misreads (a function pointer, `void (*f)(void*)`) would give as its name.
TYPES = {"void", "int", "bool", "char", "size_t", "uint32_t", "uint64_t", "const", "static", "virtual", "inline"}
SKIP = {"const", "override", "final", "noexcept", "return", "if", "while", "for", "switch", "sizeof", "delete",
        "default", "static_assert", "LEVELDB_EXPORT", "EXCLUSIVE_LOCKS_REQUIRED", "LOCKS_EXCLUDED", "GUARDED_BY",
        "PT_GUARDED_BY", "SHARED_LOCKS_REQUIRED", "LOCK_RETURNED", "ASSERT_EXCLUSIVE_LOCK", "SCOPED_LOCKABLE",
        "LOCKABLE", "EXCLUSIVE_LOCK_FUNCTION", "UNLOCK_FUNCTION", "NO_THREAD_SAFETY_ANALYSIS"}


def declared(head):
    """What a declaration (the tokens of a statement at namespace or class scope) names, if anything."""
    head = drop_template_args(head)
    if not head or head[0] in ("friend", "using", "return") and not (head[0] == "using" and "=" in head):
        return []
    if head[0] == "using":
        return [[head[1]]]
    if "(" in head:
        # A function: the name before the first parenthesis that is not a macro's.
        for i, t in enumerate(head):
            if t == "(" and i > 0 and head[i - 1] not in SKIP:
                return [chain_before(head, i)]
        return []
    for kw in KEYWORDS:
        if kw in head:
            i = head.index(kw) + 1
            while i < len(head) and head[i] in SKIP:
                i += 1
            end = i
            while end < len(head) and head[end] not in SKIP and (re.match(r"\w", head[end]) or head[end] == "::"):
                end += 1
            return [chain_before(head, end)]
    if head[0] == "typedef":
        return [chain_before(head, len(head))]
    # A field or a constant: the name before `=`, `[`, `:` (a bit field) or the end.
    for i, t in enumerate(head):
        if t in ("=", "[", ":", ","):
            return [chain_before(head, i)]
    return [chain_before(head, len(head))]


def scan(text, names):
    tokens = TOKEN.findall(strip(text))
    # The scope stack: ('ns', [names]) for a namespace or class, ('enum', [names]), ('body', None) for the rest.
    stack = []
    head = []

    def path():
        return [n for kind, p in stack if kind in ("ns", "class", "enum") for n in p]

    def inside_body():
        return any(kind == "body" for kind, _ in stack)

    def record(chain):
        if chain and chain[-1] not in TYPES and not inside_body():
            names.add("::".join(path() + chain))

    for t in tokens:
        if t == "{":
            h = drop_template_args(head)
            if inside_body():
                stack.append(("body", None))
            elif h[:1] == ["namespace"]:
                stack.append(("ns", [h[1]] if len(h) > 1 and h[1] != "{" else []))
            elif h[:2] == ["extern", '""'] or h[:1] == ["extern"]:
                stack.append(("ns", []))
            elif any(kw in h for kw in KEYWORDS) and "(" not in h and "=" not in h:
                chain = declared(h)[0]
                record(chain)
                stack.append(("enum" if "enum" in h else "class", chain))
            elif "(" in h:
                for chain in declared(h):
                    record(chain)
                stack.append(("body", None))
            else:
                stack.append(("body", None))
            head = []
        elif t == "}":
            if stack:
                stack.pop()
            head = []
        elif t == ";" or (t == "," and stack and stack[-1][0] == "enum"):
            if stack and stack[-1][0] == "enum":
                if head:
                    kind, enum_path = stack.pop()
                    record([head[0]])  # the enumerator, in the enum's scope...
                    stack.append((kind, enum_path))
                    # ... and in the enclosing one, where unscoped enumerators are visible too.
                    saved = stack.pop()
                    record([head[0]])
                    stack.append(saved)
            elif head and not inside_body():
                for chain in declared(head):
                    record(chain)
            head = []
        elif t == ":" and head in (["public"], ["private"], ["protected"]):
            head = []
        else:
            head.append(t)
    if stack and stack[-1][0] == "enum" and head:
        record([head[0]])


def main():
    root = sys.argv[1]
    names = set()
    for folder in ("include/leveldb", "db", "table", "util", "helpers/memenv"):
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            for name in sorted(files):
                if not name.endswith((".h", ".cc")) or "_test" in name or "_bench" in name or "testutil" in name:
                    continue
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    scan(f.read(), names)
    print("# The names LevelDB 1.23 declares (google/leveldb 99b3c03b3284f5886f9ef9a4ef703d57373e61be), one a line,")
    print("# made by scripts/leveldb_names.py; tests/map_test.rs checks the map's LevelDB column against them.")
    for name in sorted(n[len("leveldb::"):] for n in names if n.startswith("leveldb::")):
        print(name)


if __name__ == "__main__":
    main()
