#!/usr/bin/env python3
"""Count the rustdoc pages and methods of `recurrent` that show no code example.

Run from the repository root (Python 3 standard library only):

    cargo doc --no-deps --all-features
    python3 .ci/doc_examples.py            # summary
    python3 .ci/doc_examples.py --list     # also every page and method without an example

What is counted, over target/doc/recurrent/**/*.html:

* item pages: modules (`index.html`), structs, enums, traits, type aliases and functions;
  redirect pages (the ones rustdoc writes for re-exports) are skipped, so each item counts once.
  A page "has an example" when its own top docblock (the item's doc comment, not the docs of
  its methods or of its trait impls) contains a `<pre class="rust ...">` block, i.e. a fenced
  Rust code block (runnable or not).
* methods: the inherent methods and associated functions of struct and enum pages (the
  `implementations-list`, not trait impls or blanket impls), and the required and provided
  methods declared on trait pages. A method "has an example" when its own docblock has a
  `<pre class="rust ...">` block.
"""

import argparse
import sys
from html.parser import HTMLParser
from pathlib import Path

ITEM_KINDS = ("index", "struct", "enum", "trait", "type", "fn")
METHOD_PAGES = ("struct", "enum", "trait")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Page(HTMLParser):
    """Walks one rustdoc page and attributes each `div.docblock` to its owner."""

    def __init__(self, is_trait):
        super().__init__(convert_charrefs=True)
        self.is_trait = is_trait
        self.stack = []  # (tag, classes, id)
        self.top_example = False
        self.methods = {}  # id -> has example
        self.owner = None  # "top", a method id, or None for other docblocks
        self.doc_depth = None  # stack depth of the open docblock
        self.doc_owner = None
        self.region = None  # "inherent", "trait-impls", "blanket", "trait-methods"

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        ident = a.get("id") or ""
        if ident == "implementations-list":
            self.region = "inherent"
        elif ident in ("trait-implementations-list", "synthetic-implementations-list",
                       "blanket-implementations-list"):
            self.region = "impls"
        elif ident in ("required-methods", "provided-methods"):
            self.region = "trait-methods"
        elif ident in ("implementors", "implementors-list", "dyn-compatibility"):
            self.region = "impls"
        if tag == "details" and "top-doc" in classes:
            self.owner = "top"
        elif tag == "section" and ident.startswith(("method.", "tymethod.")):
            counted = self.region == "inherent" or (self.is_trait and self.region == "trait-methods")
            self.owner = ident if counted else None
            if counted:
                self.methods.setdefault(ident, False)
        elif tag == "section" and ident.startswith(("impl-", "associatedconstant.",
                                                    "associatedtype.", "tyassoc")):
            self.owner = None
        if tag == "div" and "docblock" in classes and self.doc_depth is None:
            self.doc_depth = len(self.stack)
            self.doc_owner = self.owner
        if tag == "pre" and "rust" in classes and self.doc_depth is not None:
            if self.doc_owner == "top":
                self.top_example = True
            elif self.doc_owner is not None:
                self.methods[self.doc_owner] = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        # Pop to the matching tag (rustdoc's HTML is well formed; this is only defensive).
        while self.stack:
            t = self.stack.pop()
            if self.doc_depth is not None and len(self.stack) == self.doc_depth:
                if t == "div":
                    if self.doc_owner == "top":
                        self.owner = None
                    self.doc_depth = None
                    self.doc_owner = None
            if t == tag:
                break


def kind_of(path):
    name = path.name
    if name == "index.html":
        return "index"
    return name.split(".", 1)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default="target/doc/recurrent")
    ap.add_argument("--list", action="store_true", help="list what has no example")
    args = ap.parse_args()
    root = Path(args.root)
    if not root.is_dir():
        sys.exit(f"{root} not found: run `cargo doc --no-deps --all-features` first")
    pages, pages_without = 0, []
    methods, methods_without = 0, []
    by_kind = {}
    for path in sorted(root.rglob("*.html")):
        kind = kind_of(path)
        if kind not in ITEM_KINDS:
            continue
        text = path.read_text(encoding="utf-8")
        if "<title>Redirection</title>" in text or "Redirecting to" in text:
            continue
        p = Page(is_trait=(kind == "trait"))
        p.feed(text)
        rel = path.relative_to(root).as_posix()
        pages += 1
        tot, miss = by_kind.get(kind, (0, 0))
        if not p.top_example:
            pages_without.append(rel)
            miss += 1
        by_kind[kind] = (tot + 1, miss)
        if kind in METHOD_PAGES:
            for ident, has in p.methods.items():
                methods += 1
                if not has:
                    methods_without.append(f"{rel}#{ident}")
    print(f"item pages without an example: {len(pages_without)} of {pages}")
    for kind in ITEM_KINDS:
        if kind in by_kind:
            tot, miss = by_kind[kind]
            label = "module" if kind == "index" else kind
            print(f"  {label:7} {miss:4} of {tot}")
    print(f"methods without an example:    {len(methods_without)} of {methods}")
    if args.list:
        print("\npages without an example:")
        for rel in pages_without:
            print("  " + rel)
        print("\nmethods without an example:")
        for m in methods_without:
            print("  " + m)


if __name__ == "__main__":
    main()
