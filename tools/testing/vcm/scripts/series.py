#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Build the posted series as real commits on the base, from series/manifest.

    series.py [--check] [--branch NAME]

Each stanza of the manifest is one patch: its subject, the hook patches of
patches/ it carries (in the order of patches/series), the new files it adds
whole, the Kconfig symbols of the overlay's Kconfig files it adds, and a
body. Commits are made in build/linux with a temporary index, one per
stanza, onto the tag "pristine"; the last one's tree must be exactly the
tree the tests build (the branch "patched" plus the overlay, less the test
harness under tools/testing/vcm/), or this fails.

The overlay's own Makefiles and Kconfig files grow with the series by fixed
rules rather than by hand:
  - a Kconfig file holds its header and the "config" blocks whose symbols
    the stanzas so far named;
  - a Makefile keeps an object when its source (x.c) is in the tree, a
    composite object when one of its parts is kept, a line when one of its
    objects is kept, and an ifdef/endif block when one of its lines is.
A file that keeps nothing is absent.

The branch NAME (default "series") points at the last commit; its commits
are in order from pristine. --check only verifies the manifest and the
final tree.
"""
import argparse
import os
import re
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../../.."))
KSRC = os.path.join(TOP, "build/linux")
MANIFEST = os.environ.get("SERIES_MANIFEST",
                          os.path.join(TOP, "series/manifest"))
# Overlay files that are never posted: the QEMU harness, the userspace
# harness, the test-only drivers and the benchmark modules.
UNPOSTED = ("tools/testing/vcm/",)


def die(msg):
    print("series.py: " + msg, file=sys.stderr)
    sys.exit(1)


def git(*args, inp=None, env=None):
    e = dict(os.environ)
    e.update(env or {})
    r = subprocess.run(["git", "-C", KSRC] + list(args), input=inp,
                       capture_output=True, env=e)
    if r.returncode:
        die("git %s: %s" % (" ".join(args), r.stderr.decode().strip()))
    return r.stdout.decode()


def parse_manifest():
    stanzas = []
    cur = None
    in_head = False
    key = None
    with open(MANIFEST) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("Subject: "):
                cur = {"subject": line[9:].strip(), "Hooks": [], "Files": [],
                       "Kconfig": [], "body": []}
                stanzas.append(cur)
                in_head = True
                key = None
                continue
            if cur is None:
                if line and not line.startswith("#"):
                    die("text before the first Subject: " + line)
                continue
            if in_head:
                if not line.strip():
                    in_head = False
                    continue
                m = re.match(r"^(Hooks|Files|Kconfig):(.*)$", line)
                if m:
                    key = m.group(1)
                    cur[key] += m.group(2).split()
                elif line[0] in " \t" and key:
                    cur[key] += line.split()
                else:
                    die("%s: bad header line: %s" % (cur["subject"], line))
                continue
            cur["body"].append(line)
    for s in stanzas:
        while s["body"] and not s["body"][-1].strip():
            s["body"].pop()
        if not s["body"]:
            die("%s: no body" % s["subject"])
    return stanzas


def kconfig_filter(text, symbols):
    """Header plus the config blocks of @symbols, or None if none."""
    chunks = [[]]
    names = [None]
    for line in text.splitlines(keepends=True):
        m = re.match(r"^config (\w+)", line)
        if m:
            chunks.append([])
            names.append(m.group(1))
        chunks[-1].append(line)
    kept = [c for c, n in zip(chunks[1:], names[1:]) if n in symbols]
    if not kept:
        return None
    out = "".join(chunks[0]) + "".join("".join(c) for c in kept)
    return out.rstrip("\n") + "\n"


def kconfig_symbols(text):
    return re.findall(r"^config (\w+)", text, re.M)


ASSIGN = re.compile(r"^(\S+)\s*([:+]?=)\s*(.*)$")


def makefile_filter(text, d, files):
    """Keep what the tree's sources build (see the module's doc)."""
    lines = text.splitlines()

    def present(word, composites):
        if word.endswith("/"):
            return any(f.startswith(d + word) for f in files)
        if word.endswith(".o"):
            base = word[:-2]
            if d + base + ".c" in files:
                return True
            return composites.get(base, False)
        return True

    # Composite objects first: name-y, name-objs, name-$(CONFIG_X).
    composites = {}
    for line in lines:
        m = ASSIGN.match(line)
        if not m or m.group(1).startswith("obj-"):
            continue
        name = re.sub(r"-(y|objs|\$\(\w+\))$", "", m.group(1))
        if name != m.group(1):
            keep = [w for w in m.group(3).split() if present(w, {})]
            composites[name] = composites.get(name, False) or bool(keep)
    out = []
    for line in lines:
        m = ASSIGN.match(line)
        if m:
            words = m.group(3).split()
            keep = [w for w in words if present(w, composites)]
            if keep == words:
                out.append(line)
            elif keep:
                out.append("%s %s %s" % (m.group(1), m.group(2),
                                         " ".join(keep)))
            continue
        out.append(line)
    # Drop ifdef blocks left empty, innermost first.
    changed = True
    while changed:
        changed = False
        for i in range(len(out) - 1):
            if re.match(r"^if(n?def|n?eq)\b", out[i]) and out[i + 1] == "endif":
                del out[i:i + 2]
                changed = True
                break
    if not any(ASSIGN.match(x) for x in out):
        return None
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--branch", default="series")
    args = ap.parse_args()

    stanzas = parse_manifest()
    with open(os.path.join(TOP, "build/.overlay-files")) as f:
        overlay = [x for x in f.read().split() if x]
    posted = [x for x in overlay if not x.startswith(UNPOSTED)]
    # Kbuild's Makefiles and Kconfig files; a selftest's Makefile is
    # posted whole like any other file.
    grown = [x for x in posted if os.path.basename(x) in ("Makefile", "Kconfig")
             and not x.startswith("tools/")]
    with open(os.path.join(TOP, "patches/series")) as f:
        hooks = [x.strip() for x in f if x.strip() and not x.startswith("#")]

    # Every posted file, hook and overlay Kconfig symbol exactly once.
    seen = {}
    for s in stanzas:
        for x in s["Files"]:
            if x not in posted or x in grown:
                die("%s: %s is not a posted file, or grows by rule" %
                    (s["subject"], x))
            if x in seen:
                die("%s is in two patches" % x)
            seen[x] = s["subject"]
    missing = set(posted) - set(grown) - set(seen)
    if missing:
        die("in no patch: " + " ".join(sorted(missing)))
    order = [h for s in stanzas for h in s["Hooks"]]
    if order != hooks:
        die("hooks must be carried once each, in the order of patches/series")
    syms = []
    for g in grown:
        if g.endswith("Kconfig"):
            with open(os.path.join(TOP, g)) as f:
                syms += kconfig_symbols(f.read())
    named = [k for s in stanzas for k in s["Kconfig"]]
    if sorted(named) != sorted(syms):
        die("Kconfig symbols named %s, defined %s" %
            (sorted(named), sorted(syms)))

    index = os.path.join(TOP, "build/.series-index")
    env = {"GIT_INDEX_FILE": index}
    if os.path.exists(index):
        os.unlink(index)
    git("read-tree", "pristine", env=env)
    ident = {"GIT_AUTHOR_NAME": "", "GIT_AUTHOR_EMAIL": ""}
    name = subprocess.run(["git", "-C", TOP, "config", "user.name"],
                          capture_output=True).stdout.decode().strip()
    mail = subprocess.run(["git", "-C", TOP, "config", "user.email"],
                          capture_output=True).stdout.decode().strip()
    if not name or not mail:
        name, mail = "VCM maintainers", "vcm@localhost"
    for k in ("AUTHOR", "COMMITTER"):
        ident["GIT_%s_NAME" % k] = name
        ident["GIT_%s_EMAIL" % k] = mail
        # Fixed dates: the same manifest gives the same commits.
        ident["GIT_%s_DATE" % k] = "2026-12-07T00:00:00+0000"
    env.update(ident)

    head = git("rev-parse", "pristine^{commit}").strip()
    files = set()
    syms_so_far = set()
    for s in stanzas:
        for h in s["Hooks"]:
            git("apply", "--cached", os.path.join(TOP, "patches", h), env=env)
        for x in s["Files"]:
            blob = git("hash-object", "-w", os.path.join(TOP, x)).strip()
            git("update-index", "--add", "--cacheinfo",
                "100644,%s,%s" % (blob, x), env=env)
            files.add(x)
        syms_so_far |= set(s["Kconfig"])
        for g in grown:
            with open(os.path.join(TOP, g)) as f:
                text = f.read()
            if g.endswith("Kconfig"):
                new = kconfig_filter(text, syms_so_far)
            else:
                new = makefile_filter(text, os.path.dirname(g) + "/", files)
            if new is None:
                git("update-index", "--force-remove", g, env=env)
                continue
            blob = git("hash-object", "-w", "--stdin", inp=new.encode()).strip()
            git("update-index", "--add", "--cacheinfo",
                "100644,%s,%s" % (blob, g), env=env)
        tree = git("write-tree", env=env).strip()
        msg = "%s\n\n%s\n\nSigned-off-by: %s <%s>\n" % (
            s["subject"], "\n".join(s["body"]), name, mail)
        head = git("commit-tree", tree, "-p", head, inp=msg.encode(),
                   env=env).strip()
    os.unlink(index)

    # The last tree is the tree under test, less the unposted files.
    env = {"GIT_INDEX_FILE": index}
    git("read-tree", "patched", env=env)
    for x in posted:
        blob = git("hash-object", "-w", os.path.join(TOP, x)).strip()
        git("update-index", "--add", "--cacheinfo", "100644,%s,%s" % (blob, x),
            env=env)
    want = git("write-tree", env=env).strip()
    os.unlink(index)
    got = git("rev-parse", head + "^{tree}").strip()
    if got != want:
        diff = git("diff", "--stat", want, got)
        die("the series' last tree is not the tree under test:\n" + diff)
    if not args.check:
        git("branch", "-f", args.branch, head)
    print("%d patches, last tree %s" % (len(stanzas), got[:12]))


if __name__ == "__main__":
    main()
