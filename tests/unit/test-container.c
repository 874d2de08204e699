// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cg_path_split_container() over the cgroup layouts of every LXC release,
 * and cg_container_name_valid().  No container needs to run.
 */
#include "unit.h"

#include "lib/container.h"

struct split_row {
	const char *name;
	const char *path;
	const char *cname; /* NULL: any container */
	int ret;
	const char *own, *root;
};

#define CGM_ROOT "/user/1012.user/11.session"
#define CGM CGM_ROOT "/lxc/ci/jenkins/lxc/test"
#define VM_BASE "/test.slice/user-1000/lxc"

static const struct split_row split_rows[] = {
	{ "split: LXC 4+ payload", "/user.slice/lxc.payload.c1", "c1", 0,
	  "/user.slice/lxc.payload.c1", "/user.slice" },
	{ "split: LXC 4+ payload, real v2 VM init", VM_BASE "/lxc.payload.smoke", "smoke", 0,
	  VM_BASE "/lxc.payload.smoke", VM_BASE },
	{ "split: payload at the top", "/lxc.payload.c1", "c1", 0, "/lxc.payload.c1", "/" },
	{ "split: collision suffix -1", "/base/lxc.payload.c1-1", "c1", 0,
	  "/base/lxc.payload.c1-1", "/base" },
	{ "split: collision suffix -2", "/base/lxc.payload.c1-2", "c1", 0,
	  "/base/lxc.payload.c1-2", "/base" },
	{ "split: collision suffix -12", "/base/lxc.payload.c1-12", "c1", 0,
	  "/base/lxc.payload.c1-12", "/base" },
	{ "split: systemd init inside, init.scope", "/base/lxc.payload.c1/init.scope", "c1", 0,
	  "/base/lxc.payload.c1", "/base" },
	{ "split: systemd service inside", "/base/lxc.payload.c1/system.slice/cron.service", "c1",
	  0, "/base/lxc.payload.c1", "/base" },
	{ "split: LXC 3.1 lxc.payload/NAME", "/base/lxc.payload/c1", "c1", 0,
	  "/base/lxc.payload/c1", "/base" },
	{ "split: LXC 3.1 with a suffix", "/base/lxc.payload/c1-1", "c1", 0,
	  "/base/lxc.payload/c1-1", "/base" },
	{ "split: LXC 1.x-3.0 lxc/NAME", "/base/lxc/c1", "c1", 0, "/base/lxc/c1", "/base" },
	{ "split: LXC 1.x-3.0 at the top", "/lxc/c1", "c1", 0, "/lxc/c1", "/" },
	{ "split: LXC 1.x-3.0 with init.scope", "/lxc/c1/init.scope", "c1", 0, "/lxc/c1", "/" },
	{ "split: cgmanager, the nested container", CGM, "test", 0, CGM,
	  CGM_ROOT "/lxc/ci/jenkins" },
	{ "split: cgmanager, the outer container", CGM, "ci", 0, CGM_ROOT "/lxc/ci", CGM_ROOT },
	{ "split: cgmanager, any name: the deepest", CGM, NULL, 0, CGM,
	  CGM_ROOT "/lxc/ci/jenkins" },
	{ "split: cgmanager, a user that is no container", CGM, "jenkins", -ENOENT, NULL, NULL },
	{ "split: nested payloads, the outer one",
	  "/base/lxc.payload.outer/jenkins/lxc.payload.inner", "outer", 0,
	  "/base/lxc.payload.outer", "/base" },
	{ "split: nested payloads, the inner one",
	  "/base/lxc.payload.outer/jenkins/lxc.payload.inner", "inner", 0,
	  "/base/lxc.payload.outer/jenkins/lxc.payload.inner", "/base/lxc.payload.outer/jenkins" },
	{ "split: nested payloads, any name: the deepest",
	  "/base/lxc.payload.outer/jenkins/lxc.payload.inner/init.scope", NULL, 0,
	  "/base/lxc.payload.outer/jenkins/lxc.payload.inner", "/base/lxc.payload.outer/jenkins" },
	{ "split: nested, same name at both levels", "/lxc.payload.c1/x/lxc.payload.c1", "c1", 0,
	  "/lxc.payload.c1/x/lxc.payload.c1", "/lxc.payload.c1/x" },
	{ "split: mixed layouts, LXC 4 inside LXC 1", "/lxc/outer/home/lxc.payload.inner",
	  "outer", 0, "/lxc/outer", "/" },
	{ "split: any name, LXC 4+", "/base/lxc.payload.c1", NULL, 0, "/base/lxc.payload.c1",
	  "/base" },
	{ "split: any name, systemd init inside", "/lxc.payload.c1/init.scope", NULL, 0,
	  "/lxc.payload.c1", "/" },
	{ "split: a longer name only prefixed", "/base/lxc.payload.test2", "test", -ENOENT, NULL,
	  NULL },
	{ "split: a suffix that is not a number", "/base/lxc.payload.test-x", "test", -ENOENT,
	  NULL, NULL },
	{ "split: a bare dash", "/base/lxc.payload.test-", "test", -ENOENT, NULL, NULL },
	{ "split: a shorter name", "/base/lxc.payload.tes", "test", -ENOENT, NULL, NULL },
	{ "split: a longer name only prefixed, LXC 1", "/lxc/test2", "test", -ENOENT, NULL, NULL },
	{ "split: the monitor is not the payload", VM_BASE "/lxc.monitor.smoke", "smoke", -ENOENT,
	  NULL, NULL },
	{ "split: the monitor, any name", VM_BASE "/lxc.monitor.smoke", NULL, -ENOENT, NULL, NULL },
	{ "split: lxc.pivot", "/base/lxc.pivot", NULL, -ENOENT, NULL, NULL },
	{ "split: LXC 3.1 directory without a name", "/base/lxc.payload", NULL, -ENOENT, NULL,
	  NULL },
	{ "split: an empty payload name", "/base/lxc.payload.", NULL, -ENOENT, NULL, NULL },
	{ "split: the LXC 1 directory alone", "/lxc", NULL, -ENOENT, NULL, NULL },
	{ "split: a systemd session", "/user.slice/user-1000.slice/session-3.scope", NULL, -ENOENT,
	  NULL, NULL },
	{ "split: the root", "/", NULL, -ENOENT, NULL, NULL },
	{ "split: a name in the wrong place", "/c1/lxc", "c1", -ENOENT, NULL, NULL },
	{ "split: outside the cgroup namespace", "/../user-1000/lxc/lxc.payload.smoke", "smoke", 0,
	  "/../user-1000/lxc/lxc.payload.smoke", "/../user-1000/lxc" },
	{ "split: names with spaces and colons", "/a b:c/lxc.payload.c1", "c1", 0,
	  "/a b:c/lxc.payload.c1", "/a b:c" },
};

static void test_split(void **state)
{
	const struct split_row *row = *state;
	char *sentinel = (char *)"untouched";
	char *own = sentinel, *root = sentinel;
	int r;

	r = cg_path_split_container(row->path, row->cname, &own, &root);
	if (r == 0) {
		ut_str(own);
		ut_str(root);
	}
	if (r != row->ret)
		fail_msg("'%s' for %s: got %d ('%s', '%s'), want %d", row->path,
			 row->cname ? row->cname : "any name", r, r == 0 ? own : "",
			 r == 0 ? root : "", row->ret);

	if (r < 0) {
		assert_ptr_equal(own, sentinel);
		assert_ptr_equal(root, sentinel);
		return;
	}

	assert_string_equal(own, row->own);
	assert_string_equal(root, row->root);
}

struct name_row {
	const char *name;
	const char *cname;
	bool valid;
};

static const struct name_row name_rows[] = {
	{ "name: plain", "c1", true },
	{ "name: with a dot", "ci.jenkins", true },
	{ "name: with dashes and digits", "test-1", true },
	{ "name: three dots", "...", true },
	{ "name: empty", "", false },
	{ "name: a slash", "a/b", false },
	{ "name: only a slash", "/", false },
	{ "name: trailing slash", "c1/", false },
	{ "name: dot", ".", false },
	{ "name: dot dot", "..", false },
};

static void test_name(void **state)
{
	const struct name_row *row = *state;

	if (cg_container_name_valid(row->cname) != row->valid)
		fail_msg("cg_container_name_valid(\"%s\") != %s", row->cname,
			 row->valid ? "true" : "false");
}

int main(void)
{
	static struct ut_suite s;

	UT_ADD_TABLE(&s, split_rows, test_split);
	UT_ADD_TABLE(&s, name_rows, test_name);

	return ut_run("container", &s);
}
