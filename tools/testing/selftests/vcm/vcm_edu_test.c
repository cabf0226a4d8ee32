// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCM on QEMU's edu device (PCI 1234:11e8) behind an IOMMU. Run as root,
 * with debugfs mounted, in a guest that has an edu device.
 *
 * window: edu bound to the window sample driver (samples/vcm/vcm_edu.c)
 * runs its debugfs commands: DMA through each part of its IOVA window,
 * the window API's bad input, an unmapped part that must fault in the
 * IOMMU, the two-step DMA API, and memory migrated while edu uses it.
 *
 * fail_nth: one call chain at a time (binding the sample driver, which
 * allocates and maps its window; the two-step API; many ranges held at
 * once; a migration; switching
 * edu's IOMMU group from identity to its DMA domain type; reading the
 * graph) runs with the n-th fault point of this task failed
 * (/proc/self/task/<tid>/fail-nth: CONFIG_VCM_FAULT_INJECTION and any
 * other fault attribute the kernel has), for n = 1, 2, ... until the
 * chain runs without reaching the n-th point. After every call that
 * failed, edu's VCM context must hold what it held before.
 *
 * churn: CPUs go offline and online while the window's DMA runs, the
 * driver is unbound and bound, the device removed and rescanned; each
 * time the window must work and edu's context end as it was.
 *
 * dma_api: stale IOVAs after dma_unmap_single(), dma_unmap_sg() and
 * dma_free_coherent() must fault in the IOMMU. These need the DMA-API test
 * driver vcm_dma_test (tools/testing/vcm/dmatest in the VCM tree) and are
 * skipped when it is not loaded.
 *
 * A test that expects an IOMMU fault writes "vcm_edu_test: expect-begin
 * REGEX" and "vcm_edu_test: expect-end" to the kernel log around it, so
 * that a log checker can tell the expected reports from others.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"

#define PCI_DEVS	"/sys/bus/pci/devices"
#define PCI_DRVS	"/sys/bus/pci/drivers"
#define VCM_DEBUGFS	"/sys/kernel/debug/vcm"
#define EDU_RUN		"/sys/kernel/debug/vcm_edu/run"
#define VDT_RUN		"/sys/kernel/debug/vcm_dma_test/run"
#define FAULT_LINES	"DMAR: |arm-smmu-v3|vcm_edu|vcm_dma_test"
#define GRAPH_MAX	(1024 * 1024)
/*
 * The IOMMUs' fault reports are rate limited to 10 in 5 s, counted from
 * the first report after the last interval ended.
 */
#define FAULT_GAP_S	6
#define RATELIMIT_MS	5200
#define FAULT_WAIT_MS	10000
#define SETTLE_MS	2000
#define QUIET_MS	1000

static int write_str(const char *path, const char *val)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Read at most @len - 1 bytes of @path into @buf; return how many. */
static ssize_t read_str(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		got += n;
	}
	buf[got] = '\0';
	close(fd);
	return got;
}

static void mark(const char *msg)
{
	char line[256];

	snprintf(line, sizeof(line), "vcm_edu_test: %s\n", msg);
	write_str("/dev/kmsg", line);
}

/* The first edu device's PCI name into @bdf, or false. */
static bool find_edu(char *bdf, size_t len)
{
	char path[PATH_MAX], v[16], d[16];
	struct dirent *de;
	bool found = false;
	DIR *dir;

	dir = opendir(PCI_DEVS);
	if (!dir)
		return false;
	while (!found && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_DEVS "/%s/vendor", de->d_name);
		if (read_str(path, v, sizeof(v)) <= 0)
			continue;
		snprintf(path, sizeof(path), PCI_DEVS "/%s/device", de->d_name);
		if (read_str(path, d, sizeof(d)) <= 0)
			continue;
		if (!strcmp(v, "0x1234\n") && !strcmp(d, "0x11e8\n")) {
			snprintf(bdf, len, "%s", de->d_name);
			found = true;
		}
	}
	closedir(dir);
	return found;
}

/* The driver bound to @bdf into @drv ("" if none). */
static void bound_driver(const char *bdf, char *drv, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), PCI_DEVS "/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	drv[0] = '\0';
	if (n > 0) {
		link[n] = '\0';
		snprintf(drv, len, "%s", strrchr(link, '/') + 1);
	}
}

static int pci_unbind(const char *bdf)
{
	char path[PATH_MAX], drv[64];

	bound_driver(bdf, drv, sizeof(drv));
	if (!drv[0])
		return 0;
	snprintf(path, sizeof(path), PCI_DRVS "/%s/unbind", drv);
	return write_str(path, bdf);
}

/* Bind @bdf to @drv, and to it only, from now on. */
static int pci_bind(const char *bdf, const char *drv)
{
	char path[PATH_MAX], cur[64];
	int ret;

	bound_driver(bdf, cur, sizeof(cur));
	if (!strcmp(cur, drv))
		return 0;
	ret = pci_unbind(bdf);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), PCI_DEVS "/%s/driver_override", bdf);
	ret = write_str(path, drv);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), PCI_DRVS "/%s/bind", drv);
	return write_str(path, bdf);
}

/* The graph file of the VCM context whose devices include @bdf. */
static bool find_ctx(const char *bdf, char *graph, size_t len)
{
	char want[128], *buf;
	struct dirent *de;
	bool found = false;
	DIR *dir;

	dir = opendir(VCM_DEBUGFS);
	buf = malloc(GRAPH_MAX);
	if (!dir || !buf)
		goto out;
	snprintf(want, sizeof(want), "\ndevice pci %s\n", bdf);
	while (!found && (de = readdir(dir))) {
		if (strncmp(de->d_name, "dma", 3))
			continue;
		snprintf(graph, len, VCM_DEBUGFS "/%s/graph", de->d_name);
		found = read_str(graph, buf, GRAPH_MAX) > 0 && strstr(buf, want);
	}
out:
	if (dir)
		closedir(dir);
	free(buf);
	return found;
}

/*
 * What a context holds: its graph with the IOVA cache emptied first, less
 * the cache's counters. Ranges a flush queue still holds show too.
 */
static int ctx_state(const char *graph, char *buf)
{
	char drain[PATH_MAX];
	char *p;
	ssize_t n;

	snprintf(drain, sizeof(drain), "%.*s/drain",
		 (int)(strrchr(graph, '/') - graph), graph);
	if (write_str(drain, "1"))
		return -1;
	n = read_str(graph, buf, GRAPH_MAX);
	if (n <= 0)
		return -1;
	p = strstr(buf, "\ncache misses ");
	if (p)
		p[1] = '\0';
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Drop the lines of a context's graph that a device coming back changes
 * (the context's id, and the pages its driver allocated anew) and sort
 * the rest: a device that comes back is listed after its group's others.
 */
static void strip_new(char *buf)
{
	char *copy = strdup(buf), **line, *p, *save;
	size_t n = 0, i;

	line = calloc(strlen(buf) / 2 + 1, sizeof(*line));
	if (!copy || !line) {
		buf[0] = '\0';
		goto out;
	}
	for (p = strtok_r(copy, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
		if (strncmp(p, "context ", 8) && strncmp(p, "  bind ", 7))
			line[n++] = p;
	qsort(line, n, sizeof(*line), cmp_line);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		strcat(buf, line[i]);
		strcat(buf, "\n");
	}
out:
	free(line);
	free(copy);
}

/*
 * Whether the context is back to @want, within SETTLE_MS: a lazy domain's
 * flush queue gives IOVA back some milliseconds after the unmap. With
 * @strip, compare without the lines strip_new() drops.
 */
static bool ctx_same(const char *graph, const char *want, char *buf,
		     bool strip)
{
	int ms;

	for (ms = 0; ms < SETTLE_MS; ms += 20) {
		if (!ctx_state(graph, buf)) {
			if (strip)
				strip_new(buf);
			if (!strcmp(buf, want))
				return true;
		}
		usleep(20000);
	}
	return false;
}

static bool ctx_is(const char *graph, const char *want, char *buf)
{
	return ctx_same(graph, want, buf, false);
}

/* /dev/kmsg, positioned after the last record. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * When kmsg_fault() last read the first report of a fault. The harness
 * runs each test in a child of its own: the time lives in memory that
 * every child shares, mapped before the first fork.
 */
static long long *fault_seen_ms;

static void __attribute__((constructor)) fault_seen_init(void)
{
	void *p = mmap(NULL, sizeof(*fault_seen_ms), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	fault_seen_ms = p == MAP_FAILED ? NULL : p;
}

/*
 * Let the rate limit's interval that the last fault's reports began run
 * out, so that the next fault's reports are printed at once.
 */
static void fault_gap(void)
{
	long long left;

	if (!fault_seen_ms || !*fault_seen_ms)
		return;
	left = *fault_seen_ms + RATELIMIT_MS - now_ms();
	if (left > 0)
		usleep(left * 1000);
}

/*
 * Wait up to @wait_ms for an IOMMU fault report (VT-d or SMMUv3) after
 * kmsg_open(). Once one came, wait until the reports stop for QUIET_MS:
 * SMMUv3 reports a fault many times from its event thread, and the
 * reports belong inside the caller's expect-begin/expect-end.
 */
static bool kmsg_fault(int fd, int wait_ms)
{
	char rec[8192], *msg;
	bool seen = false;
	int ms = 0;
	ssize_t n;

	while (ms < (seen ? QUIET_MS : wait_ms)) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0) {
			if (errno == EPIPE)
				continue;
			if (errno != EAGAIN)
				return seen;
			usleep(50000);
			ms += 50;
			continue;
		}
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		if (!seen && (strstr(msg, "DMAR: [DMA ") ||
			      (strstr(msg, "arm-smmu-v3") &&
			       strstr(msg, " event ")))) {
			seen = true;
			if (fault_seen_ms)
				*fault_seen_ms = now_ms();
		}
		/* Any line of a report restarts the quiet period. */
		if (seen && (strstr(msg, "DMAR: ") || strstr(msg, "arm-smmu-v3")))
			ms = 0;
	}
	return seen;
}

/*
 * Run @cmd through @run, which logs a DMA to an IOVA that is no longer
 * mapped; the write must succeed (the driver checked the memory was left
 * alone) and the IOMMU must report the fault. A report the rate limit
 * held back is not an error: the command runs once more after the limit's
 * interval.
 */
static int run_fault(struct __test_metadata *_metadata, const char *run,
		     const char *cmd)
{
	int fd, ret;
	bool seen;

	fault_gap();
	fd = kmsg_open();
	if (fd < 0)
		return -errno;
	mark("expect-begin " FAULT_LINES);
	ret = write_str(run, cmd);
	seen = !ret && kmsg_fault(fd, SETTLE_MS);
	if (!ret && !seen) {
		sleep(FAULT_GAP_S);
		ret = write_str(run, cmd);
		seen = !ret && kmsg_fault(fd, FAULT_WAIT_MS);
	}
	mark("expect-end");
	close(fd);
	if (ret) {
		TH_LOG("%s: %s", cmd, strerror(-ret));
		return ret;
	}
	if (!seen) {
		TH_LOG("%s: no IOMMU fault reported", cmd);
		return -ENOENT;
	}
	return 0;
}

FIXTURE(window) {
	char bdf[NAME_MAX + 1];
	char graph[PATH_MAX];
};

FIXTURE_SETUP(window)
{
	if (!find_edu(self->bdf, sizeof(self->bdf)))
		SKIP(return, "no edu device");
	if (access(PCI_DRVS "/vcm_edu", F_OK))
		SKIP(return, "no vcm_edu driver (CONFIG_SAMPLE_VCM_EDU)");
	ASSERT_EQ(0, pci_bind(self->bdf, "vcm_edu"));
	ASSERT_TRUE(find_ctx(self->bdf, self->graph, sizeof(self->graph)));
}

FIXTURE_TEARDOWN(window)
{
}

/* The window and its four parts show in the context's graph. */
TEST_F(window, graph)
{
	char *buf = malloc(GRAPH_MAX), *p, *save;
	bool found = false;

	ASSERT_NE(NULL, buf);
	ASSERT_LT(0, read_str(self->graph, buf, GRAPH_MAX));
	for (p = strtok_r(buf, "\n", &save); p && !found;
	     p = strtok_r(NULL, "\n", &save))
		found = !strncmp(p, "window ", 7) &&
			strlen(p) > 10 && !strcmp(p + strlen(p) - 10, "bindings 4");
	free(buf);
	ASSERT_TRUE(found);
}

TEST_F(window, selftest)
{
	ASSERT_EQ(0, write_str(EDU_RUN, "selftest"));
}

TEST_F(window, badinput)
{
	ASSERT_EQ(0, write_str(EDU_RUN, "badinput"));
}

TEST_F(window, fault)
{
	ASSERT_EQ(0, run_fault(_metadata, EDU_RUN, "fault"));
}

TEST_F(window, iova)
{
	ASSERT_EQ(0, run_fault(_metadata, EDU_RUN, "iova"));
}

TEST_F(window, iova_fixed)
{
	ASSERT_EQ(0, run_fault(_metadata, EDU_RUN, "iova-fixed"));
}

TEST_F(window, migrate)
{
	ASSERT_EQ(0, write_str(EDU_RUN, "migrate"));
}

/* A sweep's device, its context, this task's fail-nth, two snapshots. */
struct sweep {
	char bdf[NAME_MAX + 1];
	char graph[PATH_MAX];
	char nth[64];
	int nth_fd;
	char *before;
	char *after;
};

FIXTURE(fail_nth) {
	struct sweep s;
};

FIXTURE_SETUP(fail_nth)
{
	self->s.before = NULL;
	self->s.after = NULL;
	self->s.nth_fd = -1;
	if (!find_edu(self->s.bdf, sizeof(self->s.bdf)))
		SKIP(return, "no edu device");
	if (access(PCI_DRVS "/vcm_edu", F_OK))
		SKIP(return, "no vcm_edu driver (CONFIG_SAMPLE_VCM_EDU)");
	snprintf(self->s.nth, sizeof(self->s.nth), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	self->s.nth_fd = open(self->s.nth, O_RDWR);
	if (self->s.nth_fd < 0)
		SKIP(return, "no fail-nth (CONFIG_FAULT_INJECTION)");
	self->s.before = malloc(GRAPH_MAX);
	self->s.after = malloc(GRAPH_MAX);
	ASSERT_NE(NULL, self->s.before);
	ASSERT_NE(NULL, self->s.after);
	ASSERT_EQ(0, pci_bind(self->s.bdf, "vcm_edu"));
	ASSERT_TRUE(find_ctx(self->s.bdf, self->s.graph, sizeof(self->s.graph)));
}

FIXTURE_TEARDOWN(fail_nth)
{
	if (self->s.nth_fd >= 0)
		close(self->s.nth_fd);
	free(self->s.before);
	free(self->s.after);
}

/*
 * Set this thread's fail-nth, and read what is left of it, through the
 * descriptor the fixture keeps open: opening the file allocates, and
 * with failslab counting GFP_KERNEL allocations that would run it down.
 */
static int nth_set(struct sweep *sw, int n)
{
	char n_str[16];
	int len = snprintf(n_str, sizeof(n_str), "%d", n);

	return pwrite(sw->nth_fd, n_str, len, 0) == len ? 0 : -1;
}

static int nth_left(struct sweep *sw)
{
	char left[16];
	ssize_t len = pread(sw->nth_fd, left, sizeof(left) - 1, 0);

	if (len <= 0)
		return -1;
	left[len] = '\0';
	return atoi(left);
}

/*
 * Write @val to @path with the n-th fault point failed, for n = 1, 2, ...
 * until the write no longer reaches it. A write that fails must leave the
 * context as before, and so must every write of a chain that needs no
 * set-up (@prep, if given, sets up each try). The number of fault points
 * is returned, or -1 after a failed check.
 */
static int sweep(struct __test_metadata *_metadata,
		 struct sweep *sw, const char *path,
		 const char *val, int (*prep)(struct sweep *sw))
{
	int n, ret, left, failed = 0;

	for (n = 1; n < 10000; n++) {
		if (prep && prep(sw)) {
			TH_LOG("n=%d: cannot set up", n);
			return -1;
		}
		if (ctx_state(sw->graph, sw->before)) {
			TH_LOG("n=%d: cannot read %s", n, sw->graph);
			return -1;
		}
		if (nth_set(sw, n)) {
			TH_LOG("cannot write %s", sw->nth);
			return -1;
		}
		ret = write_str(path, val);
		left = nth_left(sw);
		nth_set(sw, 0);
		if (ret)
			failed++;
		/* A chain without set-up leaves the context as it found it. */
		if (ret || !prep) {
			if (!ctx_is(sw->graph, sw->before, sw->after)) {
				TH_LOG("n=%d: '%s' > %s (%s) changed the context:",
				       n, val, path, ret ? strerror(-ret) : "ok");
				TH_LOG("before:\n%s", sw->before);
				TH_LOG("after:\n%s", sw->after);
				return -1;
			}
		}
		/* Not reached: the chain has fewer than n fault points. */
		if (left > 0) {
			if (ret) {
				TH_LOG("'%s' > %s failed with no fault injected: %s",
				       val, path, strerror(-ret));
				return -1;
			}
			TH_LOG("'%s' > %s: %d fault points, %d failed calls",
			       val, path, n - 1, failed);
			return n - 1;
		}
	}
	TH_LOG("'%s' > %s never ran without a fault", val, path);
	return -1;
}

static int edu_unbound(struct sweep *sw)
{
	return pci_unbind(sw->bdf);
}

/*
 * Binding vcm_edu: its probe allocates the window and maps a
 * scatterlist, a page, edu's BAR and a physical address into it.
 */
TEST_F_TIMEOUT(fail_nth, probe, 600)
{
	char drv[64];

	ASSERT_LT(0, sweep(_metadata, &self->s, PCI_DRVS "/vcm_edu/bind",
			   self->s.bdf, edu_unbound));
	bound_driver(self->s.bdf, drv, sizeof(drv));
	ASSERT_STREQ("vcm_edu", drv);
	ASSERT_EQ(0, write_str(EDU_RUN, "selftest"));
}

/*
 * sweep() over a command whose last part makes edu fault on purpose: the
 * reports go inside expect-begin/expect-end.
 */
static int sweep_faulting(struct __test_metadata *_metadata,
			  struct sweep *sw, const char *cmd)
{
	int fd, points;

	fault_gap();
	fd = kmsg_open();
	if (fd < 0)
		return -1;
	mark("expect-begin " FAULT_LINES);
	points = sweep(_metadata, sw, EDU_RUN, cmd, NULL);
	kmsg_fault(fd, QUIET_MS);
	mark("expect-end");
	close(fd);
	return points;
}

/* The two-step API and its bad input; the last part faults on purpose. */
TEST_F_TIMEOUT(fail_nth, iova, 600)
{
	ASSERT_LT(0, sweep_faulting(_metadata, &self->s, "iova"));
}

TEST_F_TIMEOUT(fail_nth, iova_fixed, 600)
{
	ASSERT_LT(0, sweep_faulting(_metadata, &self->s, "iova-fixed"));
}

/*
 * Many ranges held at once: the IOVA tree allocates nodes, the cache
 * magazines, DMA-API debug its record of live ranges.
 */
TEST_F_TIMEOUT(fail_nth, grow, 600)
{
	ASSERT_LT(0, sweep(_metadata, &self->s, EDU_RUN, "grow", NULL));
}

/* Migration of a buffer edu keeps copying through. */
TEST_F_TIMEOUT(fail_nth, migrate, 600)
{
	ASSERT_LT(0, sweep(_metadata, &self->s, EDU_RUN, "migrate", NULL));
	ASSERT_EQ(0, write_str(EDU_RUN, "selftest"));
}

/* How many VCM contexts of DMA domains debugfs shows with their graph. */
static int count_ctx(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *dir;

	dir = opendir(VCM_DEBUGFS);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "dma", 3))
			continue;
		snprintf(path, sizeof(path), VCM_DEBUGFS "/%s/graph", de->d_name);
		if (!access(path, F_OK))
			n++;
	}
	closedir(dir);
	return n;
}

#define GROUP_MAX	8

/* The devices of edu's IOMMU group and the drivers they had. */
struct group {
	char type[PATH_MAX];
	int n;
	char bdf[GROUP_MAX][NAME_MAX + 1];
	char drv[GROUP_MAX][64];
};

static int group_read(const char *bdf, struct group *g)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	snprintf(g->type, sizeof(g->type), PCI_DEVS "/%s/iommu_group/type", bdf);
	snprintf(path, sizeof(path), PCI_DEVS "/%s/iommu_group/devices", bdf);
	dir = opendir(path);
	if (!dir)
		return -errno;
	g->n = 0;
	while ((de = readdir(dir)) && g->n < GROUP_MAX) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(g->bdf[g->n], sizeof(g->bdf[0]), "%s", de->d_name);
		bound_driver(de->d_name, g->drv[g->n], sizeof(g->drv[0]));
		g->n++;
	}
	closedir(dir);
	return de ? -E2BIG : 0;
}

/* The group's domain type, without its newline, or "". */
static void group_type(struct group *g, char *buf, size_t len)
{
	if (read_str(g->type, buf, len) <= 0)
		buf[0] = '\0';
	strtok(buf, "\n");
}

/* How many devices of the group no VCM context lists. */
static int group_missing(struct group *g)
{
	char graph[PATH_MAX];
	int i, n = 0;

	for (i = 0; i < g->n; i++)
		if (!find_ctx(g->bdf[i], graph, sizeof(graph)))
			n++;
	return n;
}

/*
 * Switching edu's group from the identity domain back to its DMA domain
 * type: the IOMMU core allocates the domain, dma-iommu its cookie, VCM
 * the context. Every driver of the group is unbound first, as the core
 * requires, and bound again at the end. A switch that fails must leave
 * the group on its identity domain and no VCM context behind; the last,
 * with no fault, must put every device of the group in the context.
 * So must every switch that reports success: a device that dma-iommu
 * failed to set up would do DMA behind the new domain with the
 * platform's DMA ops, or without its reserved regions. Only a context
 * whose debugfs files could not be made (debugfs failures are ignored)
 * cannot be looked at; such switches are counted ("unseen").
 */
TEST_F_TIMEOUT(fail_nth, domain_type, 300)
{
	int i, n, ret, left, ctxs, failed = 0, unset = 0, unseen = 0;
	char type[32], now[32];
	struct group g;

	ASSERT_EQ(0, group_read(self->s.bdf, &g));
	group_type(&g, type, sizeof(type));
	ASSERT_TRUE(!strcmp(type, "DMA") || !strcmp(type, "DMA-FQ"));
	for (i = 0; i < g.n; i++)
		ASSERT_EQ(0, pci_unbind(g.bdf[i]));
	for (n = 1; n < 10000; n++) {
		ASSERT_EQ(0, write_str(g.type, "identity"));
		ctxs = count_ctx();
		ASSERT_LE(0, ctxs);
		ASSERT_EQ(0, nth_set(&self->s, n));
		ret = write_str(g.type, type);
		left = nth_left(&self->s);
		nth_set(&self->s, 0);
		ASSERT_LE(0, left);
		if (ret) {
			failed++;
			group_type(&g, now, sizeof(now));
			EXPECT_STREQ("identity", now);
			EXPECT_EQ(ctxs, count_ctx());
			if (_metadata->exit_code)
				break;
		} else if (count_ctx() == ctxs) {
			unseen++;
		} else if (group_missing(&g)) {
			unset++;
			TH_LOG("fault point %d: a device left unset", n);
		}
		if (left > 0) {
			ASSERT_EQ(0, ret);
			break;
		}
	}
	TH_LOG("'%s' > %s: %d fault points, %d failed calls, %d unseen",
	       type, g.type, n - 1, failed, unseen);
	EXPECT_EQ(0, unset);
	group_type(&g, now, sizeof(now));
	EXPECT_STREQ(type, now);
	EXPECT_EQ(0, group_missing(&g));
	for (i = 0; i < g.n; i++) {
		char path[PATH_MAX];

		if (!g.drv[i][0] || !strcmp(g.drv[i], "vcm_edu"))
			continue;
		snprintf(path, sizeof(path), PCI_DRVS "/%s/bind", g.drv[i]);
		EXPECT_EQ(0, write_str(path, g.bdf[i]));
	}
	ASSERT_EQ(0, pci_bind(self->s.bdf, "vcm_edu"));
	EXPECT_LT(0, n - 1);
	ASSERT_EQ(0, write_str(EDU_RUN, "selftest"));
}

/* Reading the graphs may fail, never change anything. */
static int read_graphs(struct sweep *sw)
{
	char *buf = malloc(GRAPH_MAX);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = read_str(VCM_DEBUGFS "/graph.dot", buf, GRAPH_MAX);
	if (ret >= 0)
		ret = read_str(sw->graph, buf, GRAPH_MAX);
	free(buf);
	return ret < 0 ? ret : 0;
}

TEST_F_TIMEOUT(fail_nth, graph, 120)
{
	int n, ret, left;

	for (n = 1; n < 10000; n++) {
		ASSERT_EQ(0, ctx_state(self->s.graph, self->s.before));
		ASSERT_EQ(0, nth_set(&self->s, n));
		ret = read_graphs(&self->s);
		left = nth_left(&self->s);
		nth_set(&self->s, 0);
		ASSERT_LE(0, left);
		ASSERT_TRUE(ctx_is(self->s.graph, self->s.before, self->s.after));
		if (left > 0) {
			ASSERT_EQ(0, ret);
			break;
		}
	}
	TH_LOG("reading the graphs: %d fault points", n - 1);
}

/*
 * CPUs and the device itself leave while edu's window is in use: the
 * window's DMA must keep verifying, and the context must end as it was.
 */
FIXTURE(churn) {
	char bdf[NAME_MAX + 1];
	char graph[PATH_MAX];
	char *before;
	char *after;
};

FIXTURE_SETUP(churn)
{
	self->before = NULL;
	self->after = NULL;
	if (!find_edu(self->bdf, sizeof(self->bdf)))
		SKIP(return, "no edu device");
	if (access(PCI_DRVS "/vcm_edu", F_OK))
		SKIP(return, "no vcm_edu driver (CONFIG_SAMPLE_VCM_EDU)");
	self->before = malloc(GRAPH_MAX);
	self->after = malloc(GRAPH_MAX);
	ASSERT_NE(NULL, self->before);
	ASSERT_NE(NULL, self->after);
	ASSERT_EQ(0, pci_bind(self->bdf, "vcm_edu"));
	ASSERT_TRUE(find_ctx(self->bdf, self->graph, sizeof(self->graph)));
	ASSERT_EQ(0, ctx_state(self->graph, self->before));
}

FIXTURE_TEARDOWN(churn)
{
	free(self->before);
	free(self->after);
}

/* A child that runs the window's DMA selftest until @stop is closed. */
static pid_t selftests_start(int *stop)
{
	int p[2], runs = 0;
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid)
		goto parent;
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	while (read(p[0], &c, 1) < 0 && errno == EAGAIN) {
		if (write_str(EDU_RUN, "selftest"))
			_exit(1);
		runs++;
	}
	_exit(runs ? 0 : 2);
parent:
	close(p[0]);
	*stop = p[1];
	return pid;
}

/* 0 if every selftest of the child passed (and it ran some). */
static int selftests_stop(pid_t pid, int stop)
{
	int st;

	close(stop);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Every CPU but the first goes offline and online, three times. */
TEST_F_TIMEOUT(churn, cpus, 300)
{
	char path[PATH_MAX];
	int stop, cpu, round, cycles = 0, err = 0;
	pid_t pid;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu1/online");
	if (access(path, W_OK))
		SKIP(return, "no second CPU to take offline");
	pid = selftests_start(&stop);
	ASSERT_LT(0, pid);
	for (round = 0; round < 3 && !err; round++) {
		for (cpu = 1; !err; cpu++) {
			snprintf(path, sizeof(path),
				 "/sys/devices/system/cpu/cpu%d/online", cpu);
			if (access(path, W_OK))
				break;
			err = write_str(path, "0") ?: write_str(path, "1");
			cycles++;
		}
	}
	EXPECT_EQ(0, selftests_stop(pid, stop));
	ASSERT_EQ(0, err);
	TH_LOG("%d CPU offline/online cycles under the window's DMA", cycles);
	ASSERT_TRUE(ctx_is(self->graph, self->before, self->after));
}

/* The driver unbound and bound again, three times. */
TEST_F_TIMEOUT(churn, rebind, 120)
{
	int i;

	strip_new(self->before);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pci_unbind(self->bdf));
		ASSERT_EQ(0, pci_bind(self->bdf, "vcm_edu"));
		ASSERT_EQ(0, write_str(EDU_RUN, "selftest"));
		if (!ctx_same(self->graph, self->before, self->after, true)) {
			TH_LOG("rebind %d: before:\n%s", i, self->before);
			TH_LOG("after:\n%s", self->after);
			ASSERT_TRUE(false);
		}
	}
}

/* The device removed and found again by a rescan, three times. */
TEST_F_TIMEOUT(churn, remove_rescan, 120)
{
	char path[PATH_MAX], drv[64];
	int i, ms;

	strip_new(self->before);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), PCI_DEVS "/%s/remove", self->bdf);
		ASSERT_EQ(0, write_str(path, "1"));
		ASSERT_EQ(0, write_str("/sys/bus/pci/rescan", "1"));
		for (ms = 0; ms < 10000; ms += 100) {
			bound_driver(self->bdf, drv, sizeof(drv));
			if (drv[0])
				break;
			usleep(100000);
		}
		ASSERT_EQ(0, pci_bind(self->bdf, "vcm_edu"));
		ASSERT_TRUE(find_ctx(self->bdf, self->graph,
				     sizeof(self->graph)));
		ASSERT_EQ(0, write_str(EDU_RUN, "selftest"));
		if (!ctx_same(self->graph, self->before, self->after, true)) {
			TH_LOG("rescan %d: before:\n%s", i, self->before);
			TH_LOG("after:\n%s", self->after);
			ASSERT_TRUE(false);
		}
	}
}

FIXTURE(dma_api) {
	char bdf[NAME_MAX + 1];
};

FIXTURE_SETUP(dma_api)
{
	if (!find_edu(self->bdf, sizeof(self->bdf)))
		SKIP(return, "no edu device");
	if (access(PCI_DRVS "/vcm_dma_test", F_OK))
		SKIP(return, "vcm_dma_test is not loaded");
	ASSERT_EQ(0, pci_bind(self->bdf, "vcm_dma_test"));
}

FIXTURE_TEARDOWN(dma_api)
{
}

TEST_F(dma_api, stale_single)
{
	ASSERT_EQ(0, run_fault(_metadata, VDT_RUN, "stale-single"));
}

TEST_F(dma_api, stale_sg)
{
	ASSERT_EQ(0, run_fault(_metadata, VDT_RUN, "stale-sg"));
}

TEST_F(dma_api, stale_coherent)
{
	ASSERT_EQ(0, run_fault(_metadata, VDT_RUN, "stale-coherent"));
}

TEST_HARNESS_MAIN
