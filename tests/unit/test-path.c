// SPDX-License-Identifier: LGPL-2.1-or-later
/* The cgroup path helpers of hierarchy.h: parent, common ancestor, below. */
#include "unit.h"

#include "lib/hierarchy.h"

struct parent_row {
	const char *name;
	const char *path;
	int ret;
	const char *parent;
};

static const struct parent_row parent_rows[] = {
	{ "parent: two components", "/a/b", 0, "/a" },
	{ "parent: one component", "/a", 0, "/" },
	{ "parent: the root has none", "/", -EINVAL, NULL },
	{ "parent: empty string", "", -EINVAL, NULL },
	{ "parent: relative name", "a", -EINVAL, NULL },
	{ "parent: systemd session", "/user.slice/user-1000.slice/session-3.scope", 0,
	  "/user.slice/user-1000.slice" },
	{ "parent: space and colon in the name", "/cgadopt-ut-odd/a b:c", 0, "/cgadopt-ut-odd" },
	{ "parent: cgmanager container", "/user/1012.user/11.session/lxc/ci/jenkins/lxc/test", 0,
	  "/user/1012.user/11.session/lxc/ci/jenkins/lxc" },
	{ "parent: outside the cgroup namespace", "/../cgadopt-ut-b", 0, "/.." },
};

static void test_parent(void **state)
{
	const struct parent_row *row = *state;
	char *sentinel = (char *)"untouched";
	char *parent = sentinel;

	assert_int_equal(cg_path_parent(row->path, &parent), row->ret);
	if (row->ret < 0) {
		assert_ptr_equal(parent, sentinel);
		return;
	}

	ut_str(parent);
	assert_string_equal(parent, row->parent);
}

struct common_row {
	const char *name;
	const char *a, *b;
	const char *common;
};

static const struct common_row common_rows[] = {
	{ "common: siblings", "/a/b", "/a/c", "/a" },
	{ "common: a name prefix is no ancestor", "/a", "/ab", "/" },
	{ "common: a name prefix, deeper", "/x/a/b", "/x/ab/b", "/x" },
	{ "common: equal paths", "/a/b", "/a/b", "/a/b" },
	{ "common: ancestor first", "/a/b", "/a/b/c", "/a/b" },
	{ "common: ancestor second", "/a/b/c", "/a/b", "/a/b" },
	{ "common: root and a child", "/", "/x", "/" },
	{ "common: child and the root", "/x", "/", "/" },
	{ "common: root and root", "/", "/", "/" },
	{ "common: nothing shared", "/x", "/y", "/" },
	{ "common: session and user manager", "/user.slice/user-1000.slice/session-3.scope",
	  "/user.slice/user-1000.slice/user@1000.service/app.slice",
	  "/user.slice/user-1000.slice" },
	{ "common: attached process and container (v2 VM)", "/test.slice/user-1000/session.scope",
	  "/test.slice/user-1000/lxc/lxc.payload.smoke", "/test.slice/user-1000" },
	{ "common: two nested containers", "/lxc/ci/jenkins/lxc/test", "/lxc/ci/jenkins/lxc/test2",
	  "/lxc/ci/jenkins/lxc" },
	{ "common: names with spaces", "/a b/c", "/a b/c d", "/a b" },
};

static void test_common(void **state)
{
	const struct common_row *row = *state;
	char *common = NULL;

	assert_int_equal(cg_path_common(row->a, row->b, &common), 0);
	ut_str(common);
	assert_string_equal(common, row->common);
}

struct below_row {
	const char *name;
	const char *path, *ancestor;
	bool below;
};

static const struct below_row below_rows[] = {
	{ "below: child of the root", "/a", "/", true },
	{ "below: the root itself", "/", "/", true },
	{ "below: itself", "/a", "/a", true },
	{ "below: child", "/a/b", "/a", true },
	{ "below: grandchild", "/a/b/c", "/a", true },
	{ "below: a name prefix is not below", "/ab", "/a", false },
	{ "below: a name prefix, deeper", "/ab/c", "/a", false },
	{ "below: the parent is not below", "/a", "/a/b", false },
	{ "below: the root is not below a child", "/", "/a", false },
	{ "below: a name with a space", "/a b", "/a", false },
	{ "below: a collision suffix", "/lxc.payload.c1-1", "/lxc.payload.c1", false },
	{ "below: init.scope of a container", "/lxc.payload.c1/init.scope", "/lxc.payload.c1",
	  true },
	{ "below: trailing slash on the path", "/a/", "/a", true },
	{ "below: outside the namespace, below its parent", "/../x", "/..", true },
	/* "/../x" is the sibling of the namespace root, above it. */
	{ "below: outside the namespace is not below its root", "/../x", "/", false },
	{ "below: two levels out is not below the root", "/../../init.scope", "/", false },
};

static void test_below(void **state)
{
	const struct below_row *row = *state;
	bool got = cg_path_is_below(row->path, row->ancestor);

	if (got != row->below)
		fail_msg("cg_path_is_below(\"%s\", \"%s\") = %s, want %s", row->path,
			 row->ancestor, got ? "true" : "false", row->below ? "true" : "false");
}

int main(void)
{
	static struct ut_suite s;

	UT_ADD_TABLE(&s, parent_rows, test_parent);
	UT_ADD_TABLE(&s, common_rows, test_common);
	UT_ADD_TABLE(&s, below_rows, test_below);

	return ut_run("path", &s);
}
