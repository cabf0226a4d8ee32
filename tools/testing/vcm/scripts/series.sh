#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make series: the posted series in build/series/, as git format-patch
# writes it: a cover letter (series/cover-letter, with the shortlog and
# diffstat) and one patch per stanza of series/manifest, from the branch
# "series" of build/linux that series.py builds. The work tree of
# build/linux is not touched.
set -euo pipefail
top=$(cd "$(dirname "$0")/../../../.." && pwd)
ksrc=$top/build/linux
out=$top/build/series
python3 "$top/tools/testing/vcm/scripts/series.py"
rm -rf "$out"
git -C "$ksrc" format-patch -q --zero-commit --cover-letter --thread \
	--subject-prefix="PATCH" -o "$out" pristine..series
cover=$(ls "$out"/0000-cover-letter.patch)
subject=$(head -n1 "$top/series/cover-letter")
python3 - "$cover" "$subject" "$top/series/cover-letter" <<'EOF'
import sys
path, subject, blurb = sys.argv[1:]
text = open(path).read()
body = open(blurb).read().split("\n", 1)[1].strip("\n")
assert "*** SUBJECT HERE ***" in text and "*** BLURB HERE ***" in text
text = text.replace("*** SUBJECT HERE ***", subject)
text = text.replace("*** BLURB HERE ***", body)
open(path, "w").write(text)
EOF
ls "$out"
