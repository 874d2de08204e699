// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cg_proc_parse() and cg_controllers_normalize(), fed /proc/PID/cgroup files
 * captured on real machines (tests/fixtures/README.md says which and how).
 */
#include "unit.h"

#include "lib/proc-cgroup.h"

#define MAX_ENTRIES 12

struct entry {
	int id;
	int version;
	const char *controllers;
	const char *path;
	bool deleted;
};

struct parse_row {
	const char *name;
	const char *fixture; /* or, when NULL, the literal @text */
	const char *text;
	size_t n;
	struct entry e[MAX_ENTRIES];
};

/* The sandbox's memory cgroup of the machine where the hybrid captures
 * were made. */
#define SANDBOX_MEM "/process_api/56302995a247a19cfa10f41028ba44d5"

/* The v1 lines of this machine with every path at the root, memory apart. */
#define HYBRID_V1(mem) \
	{ 9, 1, "name=systemd", "/", false }, { 8, 1, "pids", "/", false }, \
		{ 7, 1, "blkio", "/", false }, { 6, 1, "freezer", "/", false }, \
		{ 5, 1, "devices", "/", false }, { 4, 1, "memory", mem, false }, \
		{ 3, 1, "cpuset", "/", false }, { 2, 1, "cpuacct", "/", false }, \
		{ 1, 1, "cpu", "/", false }

#define CGM "/user/1012.user/11.session/lxc/ci/jenkins/lxc/test"

static const struct parse_row parse_rows[] = {
	{ "parse: hybrid host, this machine", "hybrid/self-cgroup", NULL, 10,
	  { HYBRID_V1(SANDBOX_MEM), { 0, 2, "", "/", false } } },
	{ "parse: pure v2 host, systemd session", "v2/self-cgroup", NULL, 1,
	  { { 0, 2, "", "/user.slice/user-1000.slice/session-3.scope", false } } },
	{ "parse: pure v2 VM, root runner", "v2-vm/self-cgroup.root-runner.txt", NULL, 1,
	  { { 0, 2, "", "/test.slice/runner.scope", false } } },
	{ "parse: pure v2 VM, container init", "v2-vm/container-init-cgroup.txt", NULL, 1,
	  { { 0, 2, "", "/test.slice/user-1000/lxc/lxc.payload.smoke", false } } },
	{ "parse: pure v2 VM, attached process in the container's namespace",
	  "v2-vm/container-attach-cgroup.txt", NULL, 1, { { 0, 2, "", "/.lxc", false } } },
	{ "parse: v1 host, cpu,cpuacct and net_cls,net_prio co-mounted", "v1-comount/self-cgroup",
	  NULL, 11,
	  { { 11, 1, "pids", "/user.slice/user-1000.slice/session-2.scope", false },
	    { 10, 1, "net_cls,net_prio", "/", false },
	    { 9, 1, "freezer", "/", false },
	    { 8, 1, "memory", "/user.slice", false },
	    { 7, 1, "devices", "/user.slice", false },
	    { 6, 1, "perf_event", "/", false },
	    { 5, 1, "cpu,cpuacct", "/user.slice", false },
	    { 4, 1, "hugetlb", "/", false },
	    { 3, 1, "blkio", "/user.slice", false },
	    { 2, 1, "cpuset", "/", false },
	    { 1, 1, "name=systemd", "/user.slice/user-1000.slice/session-2.scope", false } } },
	{ "parse: net_cls,net_prio mounted for real on this machine", "v1-netcls/self-cgroup", NULL,
	  11,
	  { { 10, 1, "net_cls,net_prio", "/", false },
	    HYBRID_V1(SANDBOX_MEM),
	    { 0, 2, "", "/", false } } },
	{ "parse: cgmanager era, nested container in every v1 hierarchy", "cgmanager/self-cgroup",
	  NULL, 10,
	  { { 11, 1, "name=systemd", CGM, false },
	    { 10, 1, "hugetlb", CGM, false },
	    { 9, 1, "perf_event", CGM, false },
	    { 8, 1, "blkio", CGM, false },
	    { 7, 1, "freezer", CGM, false },
	    { 6, 1, "devices", CGM, false },
	    { 5, 1, "memory", CGM, false },
	    { 4, 1, "cpuacct", CGM, false },
	    { 3, 1, "cpu", CGM, false },
	    { 2, 1, "cpuset", CGM, false } } },
	{ "parse: reader in a cgroup namespace, sibling cgroup", "cgns/other-cgroup", NULL, 10,
	  { HYBRID_V1("/"), { 0, 2, "", "/../cgadopt-ut-b", false } } },
	{ "parse: reader in a cgroup namespace, itself", "cgns/self-cgroup", NULL, 10,
	  { HYBRID_V1("/"), { 0, 2, "", "/", false } } },
	{ "parse: pure v2 VM, cgroup namespace, pid 1", "v2-vm/cgroupns-pid1-cgroup.txt", NULL, 1,
	  { { 0, 2, "", "/../../init.scope", false } } },
	{ "parse: pure v2 VM, cgroup namespace, container init",
	  "v2-vm/cgroupns-container-init-cgroup.txt", NULL, 1,
	  { { 0, 2, "", "/../user-1000/lxc/lxc.payload.smoke", false } } },
	{ "parse: zombie in a removed cgroup2 cgroup", "deleted/zombie-cgroup", NULL, 10,
	  { HYBRID_V1("/"), { 0, 2, "", "/cgadopt-ut-del", true } } },
	{ "parse: zombie in removed v1 and v2 cgroups", "deleted/zombie-v1-v2-cgroup", NULL, 10,
	  { HYBRID_V1("/"), { 0, 2, "", "/cgadopt-ut-v1del", true } } },
	/* The kernel appends " (deleted)" on the default hierarchy only, so on
	 * v1 it is part of the cgroup's name (a live cgroup here). */
	{ "parse: v1 cgroup whose name ends in \" (deleted)\"",
	  "deleted/v1-live-named-deleted-cgroup", NULL, 10,
	  { { 9, 1, "name=systemd", "/", false },
	    { 8, 1, "pids", "/cgadopt-ut-x (deleted)", false },
	    { 7, 1, "blkio", "/", false },
	    { 6, 1, "freezer", "/", false },
	    { 5, 1, "devices", "/", false },
	    { 4, 1, "memory", SANDBOX_MEM, false },
	    { 3, 1, "cpuset", "/", false },
	    { 2, 1, "cpuacct", "/", false },
	    { 1, 1, "cpu", "/", false },
	    { 0, 2, "", "/", false } } },
	{ "parse: cgroup name with a space and a colon", "odd-names/space-colon-cgroup", NULL, 10,
	  { HYBRID_V1(SANDBOX_MEM), { 0, 2, "", "/cgadopt-ut-odd/a b:c", false } } },
	{ "parse: nested names with colons and parentheses", "odd-names/nested-colons-cgroup", NULL,
	  10, { HYBRID_V1(SANDBOX_MEM), { 0, 2, "", "/cgadopt-ut-odd/a b:c/x:1:2 (y)", false } } },
	{ "parse: no newline at the end", NULL, "0::/init.scope", 1,
	  { { 0, 2, "", "/init.scope", false } } },
	{ "parse: v1 list in mountinfo order is normalised", NULL, "4:cpuacct,cpu:/a\n", 1,
	  { { 4, 1, "cpu,cpuacct", "/a", false } } },
	{ "parse: deleted mark at the root of a path", NULL, "0::/x (deleted)\n", 1,
	  { { 0, 2, "", "/x", true } } },
	{ "parse: \" (deleted)\" alone is a name, not a mark", NULL, "0::/ (deleted)x\n", 1,
	  { { 0, 2, "", "/ (deleted)x", false } } },
};

static char *row_text(const struct parse_row *row)
{
	char *text;

	if (row->fixture)
		return ut_fixture_read(row->fixture);

	text = ut_str(strdup(row->text));
	assert_non_null(text);
	return text;
}

static void proc_clear(void *p)
{
	cg_proc_free(p);
}

/* Fail with the whole line, got and wanted, so that the report names it. */
static void check_entry(size_t line, const struct cg_proc_entry *got, const struct entry *want)
{
	if (got->id == want->id && got->version == want->version &&
	    strcmp(got->controllers, want->controllers) == 0 &&
	    strcmp(got->path, want->path) == 0 && got->deleted == want->deleted)
		return;

	fail_msg("line %zu: got id %d v%d '%s' '%s'%s, want id %d v%d '%s' '%s'%s", line, got->id,
		 got->version, got->controllers, got->path, got->deleted ? " deleted" : "",
		 want->id, want->version, want->controllers, want->path,
		 want->deleted ? " deleted" : "");
}

static void test_parse(void **state)
{
	const struct parse_row *row = *state;
	struct cg_proc *p = ut_alloc(sizeof(*p), proc_clear);

	assert_int_equal(cg_proc_parse(row_text(row), p), 0);
	assert_int_equal(p->n, row->n);

	for (size_t i = 0; i < row->n; i++)
		check_entry(i + 1, &p->entries[i], &row->e[i]);

	cg_proc_free(p);
	assert_null(p->entries);
	assert_int_equal(p->n, 0);
}

struct bad_row {
	const char *name;
	const char *text;
};

static const struct bad_row bad_rows[] = {
	{ "malformed: empty file", "" },
	{ "malformed: only a newline", "\n" },
	{ "malformed: only blank lines", "\n\n\n" },
	{ "malformed: no colon", "garbage\n" },
	{ "malformed: one colon", "0:/init.scope\n" },
	{ "malformed: id not a number", "x::/\n" },
	{ "malformed: negative id", "-1::/\n" },
	{ "malformed: id with a leading space", " 0::/\n" },
	{ "malformed: id in hex", "0x1:cpu:/\n" },
	{ "malformed: id out of range", "99999999999999999999999::/\n" },
	{ "malformed: empty path", "0::\n" },
	{ "malformed: relative path", "0::init.scope\n" },
	{ "malformed: good line, then a bad one", "1:cpu:/\nbad line\n0::/\n" },
	{ "malformed: truncated after the controllers", "9:name=systemd:" },
};

static void test_parse_bad(void **state)
{
	const struct bad_row *row = *state;
	struct cg_proc_entry sentinel;
	struct cg_proc p = { .entries = &sentinel, .n = 42 };
	int r;

	r = cg_proc_parse(row->text, &p);
	if (r == 0) {
		cg_proc_free(&p);
		fail_msg("parsed, want -EINVAL");
	}
	assert_int_equal(r, -EINVAL);
	/* ret is written only on success. */
	assert_ptr_equal(p.entries, &sentinel);
	assert_int_equal(p.n, 42);
}

struct norm_row {
	const char *name;
	const char *in;
	const char *out;
};

static const struct norm_row norm_rows[] = {
	{ "normalize: /proc order", "cpuacct,cpu", "cpu,cpuacct" },
	{ "normalize: mountinfo super options", "rw,cpu,cpuacct", "cpu,cpuacct" },
	{ "normalize: already sorted", "cpu,cpuacct", "cpu,cpuacct" },
	{ "normalize: net_prio,net_cls", "net_prio,net_cls", "net_cls,net_prio" },
	{ "normalize: mountinfo net_cls,net_prio", "rw,net_cls,net_prio", "net_cls,net_prio" },
	{ "normalize: named hierarchy", "rw,name=systemd", "name=systemd" },
	{ "normalize: systemd's v1 mount options",
	  "rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd",
	  "name=systemd" },
	{ "normalize: release_agent and xattr dropped", "rw,xattr,release_agent=/x,cpuset",
	  "cpuset" },
	{ "normalize: cpuset clone_children", "rw,cpuset,clone_children", "cpuset" },
	{ "normalize: cpuset_v2_mode, noprefix, ro", "ro,noprefix,cpuset_v2_mode,cpuset",
	  "cpuset" },
	{ "normalize: none with a name", "rw,none,name=elogind", "name=elogind" },
	{ "normalize: controllers and a name", "rw,name=x,pids,cpu", "cpu,name=x,pids" },
	{ "normalize: three controllers", "pids,memory,hugetlb", "hugetlb,memory,pids" },
	{ "normalize: empty (cgroup2)", "", "" },
	{ "normalize: options only", "rw", "" },
	{ "normalize: cgroup2 super options", "rw,nsdelegate,memory_recursiveprot", "" },
	{ "normalize: empty words", ",cpu,,cpuacct,", "cpu,cpuacct" },
};

static void test_normalize(void **state)
{
	const struct norm_row *row = *state;
	char *out = NULL;

	assert_int_equal(cg_controllers_normalize(row->in, &out), 0);
	ut_str(out);
	assert_string_equal(out, row->out);
}

/* Both spellings of one hierarchy normalise to the same string. */
static void test_normalize_pairs(void **state)
{
	static const char *const pairs[][2] = {
		{ "cpuacct,cpu", "rw,cpu,cpuacct" },
		{ "net_prio,net_cls", "rw,net_cls,net_prio" },
		{ "name=systemd", "rw,xattr,name=systemd" },
	};

	(void)state;
	for (size_t i = 0; i < CG_ARRAY_SIZE(pairs); i++) {
		char *a = NULL, *b = NULL;

		assert_int_equal(cg_controllers_normalize(pairs[i][0], &a), 0);
		ut_str(a);
		assert_int_equal(cg_controllers_normalize(pairs[i][1], &b), 0);
		ut_str(b);
		assert_string_equal(a, b);
	}
}

static void test_find(void **state)
{
	struct cg_proc *p = ut_alloc(sizeof(*p), proc_clear);
	const struct cg_proc_entry *e;

	(void)state;
	assert_int_equal(cg_proc_parse(ut_fixture_read("v1-comount/self-cgroup"), p), 0);

	e = cg_proc_find(p, 1, "cpu,cpuacct");
	assert_non_null(e);
	assert_int_equal(e->id, 5);

	e = cg_proc_find(p, 1, "name=systemd");
	assert_non_null(e);
	assert_int_equal(e->id, 1);

	assert_null(cg_proc_find(p, 1, "cpu"));
	assert_null(cg_proc_find(p, 1, "cpuacct,cpu"));
	/* No cgroup2 line on this host. */
	assert_null(cg_proc_find(p, 2, ""));
}

int main(void)
{
	static struct ut_suite s;

	UT_ADD_TABLE(&s, parse_rows, test_parse);
	UT_ADD_TABLE(&s, bad_rows, test_parse_bad);
	UT_ADD_TABLE(&s, norm_rows, test_normalize);
	ut_add(&s, "normalize: /proc and mountinfo spellings agree", test_normalize_pairs, NULL);
	ut_add(&s, "find: by version and normalised controllers", test_find, NULL);

	return ut_run("proc-cgroup", &s);
}
