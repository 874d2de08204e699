// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cg_model_parse() on pairs of captured /proc/self/cgroup and mountinfo
 * files, then cg_hierarchy_fs_path(), cg_hierarchy_open()'s refusals,
 * cg_model_find() and cg_hierarchy_name().
 */
#include "unit.h"

#include "lib/hierarchy.h"

#define MAX_H 12

struct hier {
	int id;
	int version;
	const char *controllers;
	const char *mountpoint; /* NULL: not mounted */
	const char *mount_root;
	const char *self_path;
};

struct model_row {
	const char *name;
	const char *self;      /* fixture */
	const char *mountinfo; /* fixture */
	size_t n;
	struct hier h[MAX_H];
};

#define SANDBOX_MEM "/process_api/56302995a247a19cfa10f41028ba44d5"
#define CG "/sys/fs/cgroup/"

/* This machine's v1 hierarchies, each mounted at its name, memory apart. */
#define HYBRID_V1(mem) \
	{ 9, 1, "name=systemd", CG "systemd", "/", "/" }, { 8, 1, "pids", CG "pids", "/", "/" }, \
		{ 7, 1, "blkio", CG "blkio", "/", "/" }, \
		{ 6, 1, "freezer", CG "freezer", "/", "/" }, \
		{ 5, 1, "devices", CG "devices", "/", "/" }, \
		{ 4, 1, "memory", CG "memory", "/", mem }, \
		{ 3, 1, "cpuset", CG "cpuset", "/", "/" }, \
		{ 2, 1, "cpuacct", CG "cpuacct", "/", "/" }

#define CGM "/user/1012.user/11.session/lxc/ci/jenkins/lxc/test"
#define C1 "/cgadopt-ut/lxc.payload.c1"
#define SMOKE "/test.slice/user-1000/lxc/lxc.payload.smoke"

/* The container view of lxc-container/: the host's mounts of cpu, pids,
 * name=systemd and cgroup2 replaced by binds of the container's cgroup. */
#define LXC_VIEW \
	{ 9, 1, "name=systemd", CG "systemd", C1, C1 }, { 8, 1, "pids", CG "pids", C1, C1 }, \
		{ 7, 1, "blkio", CG "blkio", "/", "/" }, \
		{ 6, 1, "freezer", CG "freezer", "/", "/" }, \
		{ 5, 1, "devices", CG "devices", "/", "/" }, \
		{ 4, 1, "memory", CG "memory", "/", SANDBOX_MEM }, \
		{ 3, 1, "cpuset", CG "cpuset", "/", "/" }, \
		{ 2, 1, "cpuacct", CG "cpuacct", "/", "/" }, { 1, 1, "cpu", CG "cpu", C1, C1 }, \
	{ \
		0, 2, "", CG "unified", C1, C1 \
	}

static const struct model_row model_rows[] = {
	{ "model: hybrid host, this machine", "hybrid/self-cgroup", "hybrid/mountinfo", 10,
	  { HYBRID_V1(SANDBOX_MEM),
	    { 1, 1, "cpu", CG "cpu", "/", "/" },
	    { 0, 2, "", CG "unified", "/", "/" } } },
	{ "model: pure v2 host", "v2/self-cgroup", "v2/mountinfo", 1,
	  { { 0, 2, "", "/sys/fs/cgroup", "/", "/user.slice/user-1000.slice/session-3.scope" } } },
	{ "model: pure v2 VM, root runner", "v2-vm/self-cgroup.root-runner.txt",
	  "v2-vm/self-mountinfo.txt", 1,
	  { { 0, 2, "", "/sys/fs/cgroup", "/", "/test.slice/runner.scope" } } },
	{ "model: v1 host, co-mounted cpu,cpuacct and net_cls,net_prio", "v1-comount/self-cgroup",
	  "v1-comount/mountinfo", 11,
	  { { 11, 1, "pids", CG "pids", "/", "/user.slice/user-1000.slice/session-2.scope" },
	    { 10, 1, "net_cls,net_prio", CG "net_cls,net_prio", "/", "/" },
	    { 9, 1, "freezer", CG "freezer", "/", "/" },
	    { 8, 1, "memory", CG "memory", "/", "/user.slice" },
	    { 7, 1, "devices", CG "devices", "/", "/user.slice" },
	    { 6, 1, "perf_event", CG "perf_event", "/", "/" },
	    { 5, 1, "cpu,cpuacct", CG "cpu,cpuacct", "/", "/user.slice" },
	    { 4, 1, "hugetlb", CG "hugetlb", "/", "/" },
	    { 3, 1, "blkio", CG "blkio", "/", "/user.slice" },
	    { 2, 1, "cpuset", CG "cpuset", "/", "/" },
	    { 1, 1, "name=systemd", CG "systemd", "/",
	      "/user.slice/user-1000.slice/session-2.scope" } } },
	{ "model: net_cls,net_prio mounted for real on this machine", "v1-netcls/self-cgroup",
	  "v1-netcls/mountinfo", 11,
	  { { 10, 1, "net_cls,net_prio", "/tmp/cgadopt-ut-netcls", "/", "/" },
	    HYBRID_V1(SANDBOX_MEM),
	    { 1, 1, "cpu", CG "cpu", "/", "/" },
	    { 0, 2, "", CG "unified", "/", "/" } } },
	{ "model: cgmanager era", "cgmanager/self-cgroup", "cgmanager/mountinfo", 10,
	  { { 11, 1, "name=systemd", CG "systemd", "/", CGM },
	    { 10, 1, "hugetlb", CG "hugetlb", "/", CGM },
	    { 9, 1, "perf_event", CG "perf_event", "/", CGM },
	    { 8, 1, "blkio", CG "blkio", "/", CGM },
	    { 7, 1, "freezer", CG "freezer", "/", CGM },
	    { 6, 1, "devices", CG "devices", "/", CGM },
	    { 5, 1, "memory", CG "memory", "/", CGM },
	    { 4, 1, "cpuacct", CG "cpuacct", "/", CGM },
	    { 3, 1, "cpu", CG "cpu", "/", CGM },
	    { 2, 1, "cpuset", CG "cpuset", "/", CGM } } },
	{ "model: mount points with a space (\\040)", "escaped-mount/self-cgroup",
	  "escaped-mount/mountinfo-only", 10,
	  { HYBRID_V1(SANDBOX_MEM),
	    { 1, 1, "cpu", "/tmp/cpu x", "/", "/" },
	    { 0, 2, "", "/tmp/cg x", "/", "/" } } },
	{ "model: two cgroup2 mounts, the first one wins", "escaped-mount/self-cgroup",
	  "escaped-mount/mountinfo", 10,
	  { HYBRID_V1(SANDBOX_MEM),
	    { 1, 1, "cpu", CG "cpu", "/", "/" },
	    { 0, 2, "", CG "unified", "/", "/" } } },
	{ "model: container view, mount roots below the hierarchy's root",
	  "lxc-container/self-cgroup", "lxc-container/mountinfo", 10, { LXC_VIEW } },
	/* The host's mounts are still listed, hidden under the binds on the
	 * same mount points: only the mount on top can be reached. */
	{ "model: container view, binds stacked over the host's mounts",
	  "lxc-container/self-cgroup", "lxc-container/mountinfo-stacked", 10, { LXC_VIEW } },
	{ "model: pure v2 VM, LXC container's own mounts (cgroup:mixed)",
	  "v2-vm/container-init-cgroup.txt", "v2-vm/container-init-mountinfo.txt", 1,
	  { { 0, 2, "", "/sys/fs/cgroup", SMOKE, SMOKE } } },
	{ "model: pure v2 VM, container's mounts seen in its cgroup namespace",
	  "v2-vm/container-init-cgroup.in-cgroupns.txt",
	  "v2-vm/container-init-mountinfo.in-cgroupns.txt", 1,
	  { { 0, 2, "", "/sys/fs/cgroup", "/", "/" } } },
	{ "model: pure v2 VM, attached process", "v2-vm/container-attach-cgroup.txt",
	  "v2-vm/container-attach-mountinfo.txt", 1,
	  { { 0, 2, "", "/sys/fs/cgroup", "/", "/.lxc" } } },
	{ "model: cgroup namespace, mounts made outside it", "cgns/self-cgroup", "cgns/mountinfo",
	  10,
	  { { 9, 1, "name=systemd", CG "systemd", "/", "/" },
	    { 8, 1, "pids", CG "pids", "/", "/" },
	    { 7, 1, "blkio", CG "blkio", "/", "/" },
	    { 6, 1, "freezer", CG "freezer", "/", "/" },
	    { 5, 1, "devices", CG "devices", "/", "/" },
	    { 4, 1, "memory", CG "memory", "/../..", "/" },
	    { 3, 1, "cpuset", CG "cpuset", "/", "/" },
	    { 2, 1, "cpuacct", CG "cpuacct", "/", "/" },
	    { 1, 1, "cpu", CG "cpu", "/", "/" },
	    { 0, 2, "", CG "unified", "/..", "/" } } },
	{ "model: pure v2 VM, cgroup namespace, mount made outside it",
	  "v2-vm/cgroupns-self-cgroup.txt", "v2-vm/cgroupns-self-mountinfo.txt", 1,
	  { { 0, 2, "", "/sys/fs/cgroup", "/../..", "/" } } },
	{ "model: pure v2 VM, cgroup namespace, cgroup2 mounted anew",
	  "v2-vm/cgroupns-self-cgroup.txt", "v2-vm/cgroupns-fresh-mountinfo.txt", 1,
	  { { 0, 2, "", "/sys/fs/cgroup", "/", "/" } } },
	{ "model: v1 hierarchies not mounted on a pure v2 host", "hybrid/self-cgroup",
	  "v2/mountinfo", 10,
	  { { 9, 1, "name=systemd", NULL, NULL, "/" },
	    { 8, 1, "pids", NULL, NULL, "/" },
	    { 7, 1, "blkio", NULL, NULL, "/" },
	    { 6, 1, "freezer", NULL, NULL, "/" },
	    { 5, 1, "devices", NULL, NULL, "/" },
	    { 4, 1, "memory", NULL, NULL, SANDBOX_MEM },
	    { 3, 1, "cpuset", NULL, NULL, "/" },
	    { 2, 1, "cpuacct", NULL, NULL, "/" },
	    { 1, 1, "cpu", NULL, NULL, "/" },
	    { 0, 2, "", "/sys/fs/cgroup", "/", "/" } } },
};

static void model_clear(void *m)
{
	cg_model_free(m);
}

/* The model of two fixtures, freed at the end of the test; the test fails
 * when they do not parse. */
static struct cg_model *model_of(const char *self_fixture, const char *mountinfo_fixture)
{
	struct cg_model *m = ut_alloc(sizeof(*m), model_clear);
	const char *self = ut_fixture_read(self_fixture);
	char mountinfo[PATH_MAX];

	ut_fixture_path(mountinfo_fixture, mountinfo, sizeof(mountinfo));
	assert_int_equal(cg_model_parse(self, mountinfo, m), 0);
	return m;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static const char *show(const char *s)
{
	return s ? s : "(null)";
}

static void check_hierarchy(size_t i, const struct cg_hierarchy *got, const struct hier *want)
{
	if (got->id == want->id && got->version == want->version &&
	    str_eq(got->controllers, want->controllers) &&
	    str_eq(got->mountpoint, want->mountpoint) &&
	    str_eq(got->mount_root, want->mount_root) && str_eq(got->self_path, want->self_path) &&
	    got->mount_fd == -1)
		return;

	fail_msg("hierarchy %zu: got id %d v%d '%s' at '%s' root '%s' self '%s' fd %d; "
		 "want id %d v%d '%s' at '%s' root '%s' self '%s' fd -1",
		 i, got->id, got->version, show(got->controllers), show(got->mountpoint),
		 show(got->mount_root), show(got->self_path), got->mount_fd, want->id,
		 want->version, want->controllers, show(want->mountpoint), show(want->mount_root),
		 want->self_path);
}

static void test_model(void **state)
{
	const struct model_row *row = *state;
	struct cg_model *m = model_of(row->self, row->mountinfo);

	assert_int_equal(m->n, row->n);

	for (size_t i = 0; i < row->n; i++)
		check_hierarchy(i, &m->h[i], &row->h[i]);

	cg_model_free(m);
	assert_null(m->h);
	assert_int_equal(m->n, 0);
}

static void test_model_bad(void **state)
{
	struct cg_model m = { .h = (void *)&m, .n = 7 };
	char mountinfo[PATH_MAX];

	(void)state;
	ut_fixture_path("hybrid/mountinfo", mountinfo, sizeof(mountinfo));

	/* A wrong success would overwrite m: nothing to free then but m. */
	assert_int_equal(cg_model_parse("", mountinfo, &m), -EINVAL);
	assert_int_equal(cg_model_parse("0:/no-second-colon\n", mountinfo, &m), -EINVAL);
	/* ret is written only on success. */
	assert_ptr_equal(m.h, (void *)&m);
	assert_int_equal(m.n, 7);
}

static void test_model_no_mountinfo(void **state)
{
	struct cg_model m = { 0 };
	char mountinfo[PATH_MAX];
	int r;

	(void)state;
	ut_fixture_path("no-such-fixture/mountinfo", mountinfo, sizeof(mountinfo));
	r = cg_model_parse("0::/\n", mountinfo, &m);
	if (r == 0) {
		cg_model_free(&m);
		fail_msg("parsed a mountinfo that does not exist");
	}
	assert_null(m.h);
}

struct fs_row {
	const char *name;
	const char *self;
	const char *mountinfo;
	int version;
	const char *controllers;
	const char *path;
	int ret;
	const char *fs; /* when ret is 0 */
};

static const struct fs_row fs_rows[] = {
	{ "fs_path: hybrid, cgroup2 root", "hybrid/self-cgroup", "hybrid/mountinfo", 2, "", "/", 0,
	  CG "unified" },
	{ "fs_path: hybrid, cgroup2 child with a space and colon", "hybrid/self-cgroup",
	  "hybrid/mountinfo", 2, "", "/cgadopt-ut-odd/a b:c", 0,
	  CG "unified/cgadopt-ut-odd/a b:c" },
	{ "fs_path: hybrid, own memory cgroup", "hybrid/self-cgroup", "hybrid/mountinfo", 1,
	  "memory", SANDBOX_MEM, 0, CG "memory" SANDBOX_MEM },
	{ "fs_path: hybrid, named hierarchy", "hybrid/self-cgroup", "hybrid/mountinfo", 1,
	  "name=systemd", "/lxc.payload.c1", 0, CG "systemd/lxc.payload.c1" },
	{ "fs_path: co-mounted cpu,cpuacct", "v1-comount/self-cgroup", "v1-comount/mountinfo", 1,
	  "cpu,cpuacct", "/user.slice", 0, CG "cpu,cpuacct/user.slice" },
	{ "fs_path: cgmanager path", "cgmanager/self-cgroup", "cgmanager/mountinfo", 1,
	  "name=systemd", CGM, 0, CG "systemd" CGM },
	{ "fs_path: mount point with a space", "escaped-mount/self-cgroup",
	  "escaped-mount/mountinfo-only", 2, "", "/x", 0, "/tmp/cg x/x" },
	{ "fs_path: container view, its own cgroup", "lxc-container/self-cgroup",
	  "lxc-container/mountinfo", 1, "cpu", C1, 0, CG "cpu" },
	{ "fs_path: container view, below its own cgroup", "lxc-container/self-cgroup",
	  "lxc-container/mountinfo", 2, "", C1 "/init.scope", 0, CG "unified/init.scope" },
	{ "fs_path: container view, the parent is outside", "lxc-container/self-cgroup",
	  "lxc-container/mountinfo", 1, "cpu", "/cgadopt-ut", -EXDEV, NULL },
	{ "fs_path: container view, the root is outside", "lxc-container/self-cgroup",
	  "lxc-container/mountinfo", 1, "pids", "/", -EXDEV, NULL },
	{ "fs_path: container view, a name that only extends the root",
	  "lxc-container/self-cgroup", "lxc-container/mountinfo", 1, "cpu", C1 "0", -EXDEV, NULL },
	{ "fs_path: container view, a hierarchy mounted whole", "lxc-container/self-cgroup",
	  "lxc-container/mountinfo", 1, "freezer", C1, 0, CG "freezer" C1 },
	{ "fs_path: pure v2 VM, LXC container's own cgroup", "v2-vm/container-init-cgroup.txt",
	  "v2-vm/container-init-mountinfo.txt", 2, "", SMOKE, 0, "/sys/fs/cgroup" },
	{ "fs_path: pure v2 VM, the container's monitor is outside",
	  "v2-vm/container-init-cgroup.txt", "v2-vm/container-init-mountinfo.txt", 2, "",
	  "/test.slice/user-1000/lxc/lxc.monitor.smoke", -EXDEV, NULL },
	{ "fs_path: cgroup namespace, sibling through the outer mount", "cgns/self-cgroup",
	  "cgns/mountinfo", 2, "", "/../cgadopt-ut-b", 0, CG "unified/cgadopt-ut-b" },
	/* The mount shows the parent of the namespace root, whose own name
	 * the namespace hides: the reader cannot name its cgroup's directory. */
	{ "fs_path: cgroup namespace, own root under the outer mount", "cgns/self-cgroup",
	  "cgns/mountinfo", 2, "", "/", -EXDEV, NULL },
	{ "fs_path: pure v2 VM, cgroup namespace, pid 1 through the outer mount",
	  "v2-vm/cgroupns-self-cgroup.txt", "v2-vm/cgroupns-self-mountinfo.txt", 2, "",
	  "/../../init.scope", 0, "/sys/fs/cgroup/init.scope" },
	/* A cgroup2 mounted inside the namespace shows only the namespace's
	 * tree: "/../x" is above its root, not below. */
	{ "fs_path: pure v2 VM, cgroup namespace, pid 1 above a fresh mount",
	  "v2-vm/cgroupns-self-cgroup.txt", "v2-vm/cgroupns-fresh-mountinfo.txt", 2, "",
	  "/../../init.scope", -EXDEV, NULL },
	{ "fs_path: hierarchy not mounted", "hybrid/self-cgroup", "v2/mountinfo", 1, "cpu", "/",
	  -EXDEV, NULL },
};

static void test_fs_path(void **state)
{
	const struct fs_row *row = *state;
	struct cg_proc_entry e = { .version = row->version,
				   .controllers = (char *)row->controllers };
	struct cg_model *m = model_of(row->self, row->mountinfo);
	struct cg_hierarchy *h;
	char buf[PATH_MAX];
	int r;

	h = cg_model_find(m, &e);
	assert_non_null(h);

	r = cg_hierarchy_fs_path(h, row->path, buf, sizeof(buf));
	if (r != row->ret)
		fail_msg("'%s': got %d%s%s%s, want %d", row->path, r, r == 0 ? " '" : "",
			 r == 0 ? buf : "", r == 0 ? "'" : "", row->ret);
	if (r == 0)
		assert_string_equal(buf, row->fs);
}

static void test_fs_path_too_long(void **state)
{
	const struct cg_hierarchy h = { .version = 2, .controllers = (char *)"",
					.mountpoint = (char *)CG "unified",
					.mount_root = (char *)"/", .mount_fd = -1 };
	char small[sizeof(CG "unified/ab")];
	char big[PATH_MAX];

	(void)state;
	assert_int_equal(cg_hierarchy_fs_path(&h, "/ab", small, sizeof(small)), 0);
	assert_string_equal(small, CG "unified/ab");
	assert_int_equal(cg_hierarchy_fs_path(&h, "/abc", small, sizeof(small)), -ENAMETOOLONG);

	memset(big, 'x', sizeof(big));
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cg_hierarchy_fs_path(&h, big, small, sizeof(small)), -ENAMETOOLONG);
}

static void close_fd(void *fd)
{
	close((int)(intptr_t)fd);
}

/* cg_hierarchy_open() refuses what it cannot reach before it opens anything. */
static void test_open_refusals(void **state)
{
	struct cg_hierarchy h = { .version = 2, .controllers = (char *)"",
				  .mountpoint = (char *)CG "unified", .mount_root = (char *)C1,
				  .mount_fd = -1 };
	int fd = -1;

	(void)state;
	/* Not opened (cg_model_parse): nothing is visible. */
	assert_int_equal(cg_hierarchy_open(&h, C1, &fd), -EXDEV);
	assert_int_equal(fd, -1);

	h.mount_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(h.mount_fd >= 0);
	ut_defer(close_fd, (void *)(intptr_t)h.mount_fd);

	assert_int_equal(cg_hierarchy_open(&h, "/cgadopt-ut", &fd), -EXDEV);
	assert_int_equal(cg_hierarchy_open(&h, "/", &fd), -EXDEV);
	assert_true(cg_hierarchy_open(&h, C1 "/..", &fd) < 0);
	assert_true(cg_hierarchy_open(&h, C1 "/../..", &fd) < 0);
	assert_int_equal(fd, -1);
}

static void test_find_and_name(void **state)
{
	struct cg_proc_entry v2 = { .version = 2, .controllers = (char *)"" };
	struct cg_proc_entry cpu = { .version = 1, .controllers = (char *)"cpu,cpuacct" };
	struct cg_proc_entry named = { .version = 1, .controllers = (char *)"name=systemd" };
	struct cg_proc_entry absent = { .version = 1, .controllers = (char *)"cpu" };
	struct cg_model *m = model_of("v1-comount/self-cgroup", "v1-comount/mountinfo");
	struct cg_hierarchy *h;

	(void)state;
	assert_null(cg_model_find(m, &v2));
	assert_null(cg_model_find(m, &absent));

	h = cg_model_find(m, &cpu);
	assert_non_null(h);
	assert_int_equal(h->id, 5);
	assert_string_equal(cg_hierarchy_name(h), "cpu,cpuacct");

	h = cg_model_find(m, &named);
	assert_non_null(h);
	assert_string_equal(cg_hierarchy_name(h), "name=systemd");

	m = model_of("v2/self-cgroup", "v2/mountinfo");
	h = cg_model_find(m, &v2);
	assert_non_null(h);
	assert_string_equal(cg_hierarchy_name(h), "cgroup2");
}

int main(void)
{
	static struct ut_suite s;

	UT_ADD_TABLE(&s, model_rows, test_model);
	ut_add(&s, "model: malformed /proc/self/cgroup", test_model_bad, NULL);
	ut_add(&s, "model: missing mountinfo file", test_model_no_mountinfo, NULL);
	UT_ADD_TABLE(&s, fs_rows, test_fs_path);
	ut_add(&s, "fs_path: truncation", test_fs_path_too_long, NULL);
	ut_add(&s, "open: paths outside the mount root", test_open_refusals, NULL);
	ut_add(&s, "find and name", test_find_and_name, NULL);

	return ut_run("hierarchy", &s);
}
