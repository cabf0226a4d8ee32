#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# DMA benchmark of make bench, for one arch: the VCM kernel against the
# pristine base kernel (tag "pristine" of build/linux, checked out in
# build/linux-pristine), both built from the same fragments (bench.config,
# no debug options), booted in the same QEMU set-up with 2 CPUs. For each
# round and IOMMU mode the two kernels run back to back:
#  - map/unmap latency of the vcm_dma_bench module (tools/testing/vcm/
#    dmabench, built against each kernel) bound to edu: single and sg
#    mode, 1, 16 and 256 pages, 1 and 2 threads;
#  - sequential O_DIRECT reads from NVMe: 4 KiB at queue depth 1, and
#    128 KiB, 1 MiB and 4 MiB at queue depths 1 and 32 ("-qd32"), where
#    dma_opt_mapping_size() shows: it caps NVMe's largest request (the
#    guest log's "nvme-limits" line gives the queue limits);
#  - two checks of the allocator, which fail make bench when the VCM
#    kernel fails them: edu's 28-bit space filled with one-page mappings
#    until a map fails, then freed and filled again (the VCM kernel must
#    fit at least as many as the base kernel, and as many again); and a
#    double unmap plus an unmap of a never-mapped address, of a page, a
#    resource and a scatterlist, followed by 64 mappings that must get
#    addresses of their own and translate to their own pages.
# Prints one line per figure, medians over the rounds:
#   bench: dma <arch> <case> ours=<v> theirs=<v> unit=<u> ratio=<median of ours/theirs>
#
#   bench-dma.sh ARCH      (DMA_ROUNDS=3, DMA_MS=1000 per case)
#
# DMA_ICOUNT=1 boots the guests with QEMU's -icount shift=0: the guest
# clock then advances one ns per instruction executed, so each figure is
# the number of guest instructions per map, unmap or request (unit=instr),
# exact and free of host noise, device emulation excluded. Only the
# single-thread map/unmap cases run then (the clock is shared by the
# vCPUs, and I/O waits are not instructions). One round is enough: the
# count is deterministic. TCG time (the default) is what the targets
# are stated in.
#
# DMA_CONTROL=1 adds a third kernel, the layout control: the pristine
# tree with as many never-executed bytes of text as the VCM kernel's
# kernel/dma/window.o has, linked where window.o is. Every upstream
# function after it then sits where it sits in the VCM kernel, as they
# would after any patch that adds code there. Its lines,
#   bench: dma-layout <arch> <case> ours=<control> theirs=<pristine> ...
# show how far TCG times move with code layout alone (QEMU's per-vCPU
# jump cache is direct-mapped by guest address), and
#   bench: dma-matched <arch> <case> ours=<VCM> theirs=<control> ...
# compare the VCM kernel with a base kernel whose hot upstream code sits
# at the same addresses.
set -uo pipefail
arch=$1
top=$(cd "$(dirname "$0")/../../../.." && pwd)
cd "$top"
s=tools/testing/vcm/scripts
rounds=${DMA_ROUNDS:-3}
ms=${DMA_MS:-1000}
pristine=$top/build/linux-pristine
control=${DMA_CONTROL:-}

case $arch in
x86_64) image=arch/x86/boot/bzImage ;;
arm64) image=arch/arm64/boot/Image ;;
*) echo "bench-dma.sh: unknown arch $arch" >&2; exit 2 ;;
esac

git -C build/linux worktree prune
if [ -e "$pristine/.git" ]; then
	git -C "$pristine" checkout -q -f --detach pristine || exit 1
else
	echo "  WORKTREE build/linux-pristine (tag pristine)"
	git -C build/linux worktree add -q -f --detach "$pristine" pristine || exit 1
fi

frags=tools/testing/vcm/configs/bench.config
FRAGMENTS=$frags $s/kernel.sh "$arch" "$top/build/$arch-bench" || exit 1
KSRC=$pristine VCM_PRISTINE=1 FRAGMENTS=$frags \
	$s/kernel.sh "$arch" "$top/build/$arch-pristine" || exit 1
kernels="ours theirs"
if [ -n "$control" ]; then
	kernels="ours theirs control"
	csrc=$top/build/linux-control
	if [ -e "$csrc/.git" ]; then
		git -C "$csrc" checkout -q --detach pristine || exit 1
	else
		git -C build/linux worktree add -q -f --detach "$csrc" pristine || exit 1
	fi
	pad=$(size -A "build/$arch-bench/kernel/dma/window.o" | awk '$1 == ".text" { print $2 }')
	fill=0; [ "$arch" = x86_64 ] && fill=0xcc	# int3
	[ -n "$pad" ] || { echo "bench-dma.sh: no window.o text" >&2; exit 1; }
	# Rewritten only when it changes, so that a warm build stays warm.
	{
		echo "// SPDX-License-Identifier: GPL-2.0-only"
		echo "/* make bench's layout control: the size of window.o's text, never run. */"
		echo "asm(\".pushsection .text\\n.balign 16\\n.skip $pad, $fill\\n.popsection\");"
	} > "$csrc/kernel/dma/layout_pad.c.new"
	if cmp -s "$csrc/kernel/dma/layout_pad.c.new" "$csrc/kernel/dma/layout_pad.c"; then
		rm "$csrc/kernel/dma/layout_pad.c.new"
	else
		mv "$csrc/kernel/dma/layout_pad.c.new" "$csrc/kernel/dma/layout_pad.c"
	fi
	grep -q layout_pad.o "$csrc/kernel/dma/Makefile" ||
		echo "obj-y += layout_pad.o" >> "$csrc/kernel/dma/Makefile"
	KSRC=$csrc VCM_PRISTINE=1 FRAGMENTS=$frags \
		$s/kernel.sh "$arch" "$top/build/$arch-control" || exit 1
fi
$s/initramfs.sh "$arch" "build/initramfs-$arch.cpio.gz" || exit 1

# The module, built against each kernel, in a cpio appended to the initramfs.
for k in $kernels; do
	case $k in
	ours) ksrc=$top/build/linux out=$top/build/$arch-bench ;;
	theirs) ksrc=$pristine out=$top/build/$arch-pristine ;;
	control) ksrc=$csrc out=$top/build/$arch-control ;;
	esac
	$s/modules.sh "$arch" "$ksrc" "$out" "build/initramfs-$arch.cpio.gz" \
		"build/initrd-$arch-dmabench-$k.cpio.gz" tools/testing/vcm/dmabench || exit 1
done

icount=${DMA_ICOUNT:-}
tag=
[ -n "$icount" ] && tag=-icount
res=build/logs/$arch-dmabench$tag.txt
: > "$res"
rc=0
for r in $(seq 1 "$rounds"); do
	for mode in strict lazy; do
		for k in $kernels; do
			case $k in
			ours) out=build/$arch-bench ;;
			theirs) out=build/$arch-pristine ;;
			control) out=build/$arch-control ;;
			esac
			log=build/logs/$arch-$mode-dmabench$tag-$k-$r.log
			ICOUNT=$icount SMP=2 TIMEOUT=${BENCH_TIMEOUT:-900} \
				EXTRA_CMDLINE="vcm.ms=$ms${icount:+ vcm.icount=1}" \
				$s/qemu.sh "$arch" "$mode" dmabench "$out/$image" \
				"build/initrd-$arch-dmabench-$k.cpio.gz" "$log" >/dev/null || rc=1
			tr -d '\r' < "$log" | sed -n "s/^dmab: /$k $r /p" >> "$res"
		done
	done
done

python3 - "$arch" "$res" "$icount" <<'PY' || rc=1
import statistics, sys
arch, path, icount = sys.argv[1], sys.argv[2], sys.argv[3]
vals = {}
checks = {}
bad = 0
for line in open(path):
    f = line.split()
    kern, rnd, case = f[0], f[1], f[2]
    if case == "error":
        print(f"bench-dma: {kern} round {rnd}: error {' '.join(f[3:])}")
        bad = 1
        continue
    if case.endswith("-fill") or case.endswith("-badunmap"):
        checks.setdefault(case, {}).setdefault(kern, []).append(f[3:])
        continue
    for kv in f[3:]:
        k, _, v = kv.partition("=")
        if k in ("map_ns", "unmap_ns", "ns_per_req"):
            name = case + ("-" + k[:-3] if k.endswith("map_ns") else "")
            vals.setdefault(name, {}).setdefault(rnd, {})[kern] = float(v)
# (suite, kernel measured, kernel it is compared with); the last two only
# with DMA_CONTROL=1.
suites = [("dma", "ours", "theirs"), ("dma-layout", "control", "theirs"),
          ("dma-matched", "ours", "control")]
control = any("control" in r for v in vals.values() for r in v.values())
for suite, a, b in suites if control else suites[:1]:
    for name in vals:
        rounds = vals[name]
        pairs = [(x[a], x[b]) for x in rounds.values()
                 if a in x and b in x and x[b] > 0]
        if not pairs:
            print(f"bench-dma: {suite} {name}: no complete pair")
            bad = 1
            continue
        ours = statistics.median(p[0] for p in pairs)
        theirs = statistics.median(p[1] for p in pairs)
        ratio = statistics.median(p[0] / p[1] for p in pairs)
        unit = "ns/req" if "nvme" in name else "ns"
        if icount:
            unit = "instr/req" if "nvme" in name else "instr"
        print(f"bench: {suite} {arch} {name} ours={ours:.0f} theirs={theirs:.0f} "
              f"unit={unit} ratio={ratio:.2f}")
# The checks: the same in every round, so each round's result is shown
# when they differ. The VCM kernel must fit at least as many mappings as
# the base kernel, fit as many again once all are freed, never hand out
# one address twice, and come out of every kind of bad unmap unharmed.
def kv(words):
    return {k: v for k, _, v in (w.partition("=") for w in words) if v}
for case in sorted(checks):
    res = checks[case]
    show = {k: sorted(set(" ".join(r) for r in rs)) for k, rs in res.items()}
    fmt = lambda k: " | ".join(show.get(k, ["none"]))
    print(f"bench: dma-check {arch} {case} ours={fmt('ours')!r} theirs={fmt('theirs')!r}")
    for r in res.get("ours", []):
        if case.endswith("-fill"):
            o = kv(r)
            t = [kv(x) for x in res.get("theirs", [])]
            if (o.get("distinct") != "1" or o.get("maps") != o.get("again") or
                    any(int(o["maps"]) < int(x["maps"]) for x in t)):
                print(f"bench-dma: {case}: the VCM kernel fails the check")
                bad = 1
        else:
            kinds = {}
            for w in r:
                if "=" not in w:
                    kind = kinds.setdefault(w, {})
                else:
                    k, _, v = w.partition("=")
                    kind[k] = int(v)
            for k in ("page", "resource", "sg"):
                if k not in kinds or any(kinds[k].values()):
                    print(f"bench-dma: {case}: bad unmaps of a {k} harm the VCM kernel's allocator")
                    bad = 1
sys.exit(bad)
PY
exit $rc
