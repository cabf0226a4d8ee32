#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Take the VCM graph in DOT that the guest test graph-dot printed out of a
# serial log and render it with Graphviz: <out>.dot, <out>.svg, <out>.png.
# Fails if there is none, or if Graphviz cannot lay it out.
#
#   graph-dot.sh LOG OUT
set -uo pipefail
log=$1
out=$2
sed -n 's/^\[[ 0-9.]*\]     graph-dot: //p' "$log" | tr -d '\r' |
	sed -n '/^DOT BEGIN$/,/^DOT END$/p' | sed '1d;$d' > "$out.dot"
[ -s "$out.dot" ] || { echo "no DOT graph in $log"; exit 1; }
grep -q '^digraph vcm {$' "$out.dot" || { echo "$out.dot: not the VCM graph"; exit 1; }
dot -Tsvg -o "$out.svg" "$out.dot" || { echo "dot cannot render $out.dot"; exit 1; }
dot -Tpng -o "$out.png" "$out.dot" || { echo "dot cannot render $out.dot as PNG"; exit 1; }
echo "$(grep -c -- ' -> ' "$out.dot") edges, $(grep -c 'subgraph cluster_' "$out.dot") contexts: $out.svg, $out.png"
