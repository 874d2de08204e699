// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cg_hierarchy_in_list(): which hierarchies a --controllers or --require
 * list names.  The hierarchies come from cg_model_parse() on the fixture
 * layouts, so that the controllers are spelled as the model normalises
 * them: co-mounted v1 (hand-written v1-comount, real v1-netcls), this
 * machine's hybrid layout, and the real pure v2 guest.
 */
#include "unit.h"

#include "lib/hierarchy.h"

struct layout {
	const char *self, *mountinfo; /* fixtures */
};

static const struct layout comount = { "v1-comount/self-cgroup", "v1-comount/mountinfo" };
static const struct layout netcls = { "v1-netcls/self-cgroup", "v1-netcls/mountinfo" };
static const struct layout hybrid = { "hybrid/self-cgroup", "hybrid/mountinfo" };
static const struct layout v2vm = { "v2-vm/self-cgroup.user-session.txt",
				    "v2-vm/self-mountinfo.txt" };

struct list_row {
	const char *name;
	const struct layout *layout;
	const char *hierarchy; /* as cg_hierarchy_name() calls it */
	const char *list; /* NULL: no list given */
	bool in;
};

static const struct list_row list_rows[] = {
	/* A co-mounted hierarchy is named by each of its controllers. */
	{ "co-mount: cpu names cpu,cpuacct", &comount, "cpu,cpuacct", "cpu", true },
	{ "co-mount: cpuacct names cpu,cpuacct", &comount, "cpu,cpuacct", "cpuacct", true },
	{ "co-mount: both, as mounted", &comount, "cpu,cpuacct", "cpu,cpuacct", true },
	{ "co-mount: both, the other order", &comount, "cpu,cpuacct", "cpuacct,cpu", true },
	{ "co-mount: among others", &comount, "cpu,cpuacct", "memory,pids,cpuacct", true },
	{ "co-mount: cpuset is not cpu", &comount, "cpu,cpuacct", "cpuset", false },
	{ "co-mount: a prefix of cpuacct", &comount, "cpu,cpuacct", "cpua", false },
	{ "co-mount: a suffix of cpuacct", &comount, "cpu,cpuacct", "acct", false },
	{ "co-mount: upper case", &comount, "cpu,cpuacct", "CPU", false },
	{ "co-mount: cpu does not name cpuset", &comount, "cpuset", "cpu", false },
	{ "co-mount: cpu,cpuacct does not name cpuset", &comount, "cpuset", "cpu,cpuacct", false },
	{ "co-mount: cpuset names cpuset", &comount, "cpuset", "cpuset", true },
	{ "co-mount: net_prio names net_cls,net_prio", &comount, "net_cls,net_prio", "net_prio",
	  true },
	{ "co-mount: net is no controller", &comount, "net_cls,net_prio", "net", false },
	{ "co-mount: real net_cls names net_cls,net_prio", &netcls, "net_cls,net_prio", "net_cls",
	  true },
	{ "co-mount: real net_prio names net_cls,net_prio", &netcls, "net_cls,net_prio", "net_prio",
	  true },
	{ "co-mount: real net_cls does not name cpu", &netcls, "cpu", "net_cls", false },

	/* A named hierarchy only by its whole name. */
	{ "named: name=systemd", &comount, "name=systemd", "name=systemd", true },
	{ "named: name=systemd among others", &hybrid, "name=systemd", "pids,name=systemd", true },
	{ "named: systemd alone", &hybrid, "name=systemd", "systemd", false },
	{ "named: name= alone", &hybrid, "name=systemd", "name=", false },
	{ "named: another name", &hybrid, "name=systemd", "name=elogind", false },
	{ "named: name=systemd names no controller", &hybrid, "pids", "name=systemd", false },

	/* This machine: cpu and cpuacct are separate hierarchies. */
	{ "hybrid: cpu", &hybrid, "cpu", "cpu", true },
	{ "hybrid: cpuacct does not name cpu", &hybrid, "cpu", "cpuacct", false },
	{ "hybrid: cpu does not name cpuacct", &hybrid, "cpuacct", "cpu", false },
	{ "hybrid: cpu,cpuacct names cpuacct", &hybrid, "cpuacct", "cpu,cpuacct", true },
	{ "hybrid: memory", &hybrid, "memory", "memory", true },
	{ "hybrid: cgroup2 names no v1 hierarchy", &hybrid, "memory", "cgroup2", false },
	{ "hybrid: unified names no v1 hierarchy", &hybrid, "memory", "unified", false },

	/* cgroup2 by its name only, even where it holds the controllers. */
	{ "v2: cgroup2", &hybrid, "cgroup2", "cgroup2", true },
	{ "v2: unified", &hybrid, "cgroup2", "unified", true },
	{ "v2: cgroup2 among others", &hybrid, "cgroup2", "cpu,cgroup2,name=systemd", true },
	{ "v2: cgroup is not cgroup2", &hybrid, "cgroup2", "cgroup", false },
	{ "v2: a longer name", &hybrid, "cgroup2", "cgroup2x", false },
	{ "v2: a longer name for unified", &hybrid, "cgroup2", "unified2", false },
	{ "v2: v1 names only", &hybrid, "cgroup2", "cpu,memory,name=systemd", false },
	{ "v2: pure v2, cgroup2", &v2vm, "cgroup2", "cgroup2", true },
	{ "v2: pure v2, unified", &v2vm, "cgroup2", "unified", true },
	{ "v2: pure v2, a controller of it names no hierarchy", &v2vm, "cgroup2", "memory", false },

	/* No list names every hierarchy; an empty one names none. */
	{ "no list: co-mounted", &comount, "cpu,cpuacct", NULL, true },
	{ "no list: named", &comount, "name=systemd", NULL, true },
	{ "no list: cgroup2", &hybrid, "cgroup2", NULL, true },
	{ "empty list: co-mounted", &comount, "cpu,cpuacct", "", false },
	{ "empty list: cgroup2", &hybrid, "cgroup2", "", false },
	{ "only commas: v1", &comount, "cpu,cpuacct", ",,", false },
	{ "only commas: cgroup2", &hybrid, "cgroup2", ",", false },
	{ "stray commas around a name: v1", &comount, "cpu,cpuacct", ",cpu,", true },
	{ "stray commas around a name: cgroup2", &hybrid, "cgroup2", ",,cgroup2,", true },
};

static void model_clear(void *p)
{
	cg_model_free(p);
}

static void test_list(void **state)
{
	const struct list_row *row = *state;
	struct cg_model *m = ut_alloc(sizeof(*m), model_clear);
	const char *self = ut_fixture_read(row->layout->self);
	const struct cg_hierarchy *h = NULL;
	char mountinfo[PATH_MAX];

	ut_fixture_path(row->layout->mountinfo, mountinfo, sizeof(mountinfo));
	assert_int_equal(cg_model_parse(self, mountinfo, m), 0);

	for (size_t i = 0; i < m->n; i++)
		if (strcmp(cg_hierarchy_name(&m->h[i]), row->hierarchy) == 0)
			h = &m->h[i];
	if (!h)
		fail_msg("no hierarchy '%s' in %s", row->hierarchy, row->layout->self);

	if (cg_hierarchy_in_list(h, row->list) != row->in)
		fail_msg("'%s' in list %s%s%s: want %s", row->hierarchy, row->list ? "'" : "",
			 row->list ? row->list : "NULL", row->list ? "'" : "",
			 row->in ? "true" : "false");
}

int main(void)
{
	static struct ut_suite s;

	UT_ADD_TABLE(&s, list_rows, test_list);

	return ut_run("lists", &s);
}
