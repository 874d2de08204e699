// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lxc.hook.pre-start: before LXC creates any cgroup, move the monitor (the
 * hook's parent) into a fresh cgroup below the owner's delegated cgroup in
 * every hierarchy delegated to the owner, so that the container's cgroups land in
 * the same place whichever session or service started it.  When a required
 * hierarchy is not delegated, fail the start with what to run, instead of
 * LXC's silent start without cgroups.
 *
 *   lxc.hook.pre-start = .../pre-start [--root CGROUP] [--leaf NAME] [--require LIST]
 */
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/clean.h"
#include "lib/delegate.h"
#include "lib/hierarchy.h"
#include "lib/hook.h"
#include "lib/place.h"

struct opts {
	const char *root;
	const char *leaf;
	const char *require;
};

static void usage(void)
{
	fputs("Usage: pre-start [--root CGROUP] [--leaf NAME] [--require LIST]\n"
	      "\n"
	      "An lxc.hook.pre-start: park the container's monitor in a fresh cgroup\n"
	      "CGROUP/NAME/CONTAINER (default /cg-adopt/user-UID/lxc/CONTAINER) in every\n"
	      "hierarchy delegated to the owner; fail the start when a hierarchy of LIST\n"
	      "(default: at least one) is not delegated.  See cg-adopt(1).\n",
	      stdout);
}

/* Whether @root of @h is the hook user's own; its fd in *ret_fd then. */
static bool delegated(const struct hook *hk, const struct cg_hierarchy *h, const char *root,
		      int *ret_fd)
{
	struct stat st;
	int fd = -1;

	if (!h->mountpoint || cg_hierarchy_open(h, root, &fd) < 0)
		return false;
	if (fstat(fd, &st) < 0 || st.st_uid != hk->uid) {
		close(fd);
		return false;
	}

	*ret_fd = fd;
	return true;
}

/* Bases tried per start: NAME, NAME-1, ... as LXC names its cgroups. */
#define MAX_BASES 100

/*
 * The monitor's own base for this start, below the owner's leaf @leaf_fd
 * (@leaf_path): NAME, or NAME-N when that one is in use.  Fresh for every
 * start: LXC enables every controller for the children of the cgroup the
 * monitor starts from and never undoes it, so on cgroup2 a base used once
 * may hold no process again (EBUSY).  What an earlier run left there (empty
 * cgroups of a killed monitor, lxc.pivot) is removed first; rmdir refuses a
 * cgroup in use.  0 and the base's fd and name, or -errno with @err.
 */
static int fresh_base(const struct hook *hk, const struct cg_hierarchy *h, int leaf_fd,
		      const char *leaf_path, char *name, size_t size, int *ret_fd,
		      struct cg_err *err)
{
	for (int n = 0; n < MAX_BASES; n++) {
		int r = n == 0 ? cg_snprintf(name, size, "%s", hk->name)
			       : cg_snprintf(name, size, "%s-%d", hk->name, n);

		if (r == 0)
			r = cg_clean_remove_tree(leaf_fd, name);
		if (r == -EBUSY)
			continue;
		if (r < 0)
			return cg_err_set(err, r, "cannot make a cgroup for '%s' below '%s'",
					  hk->name, leaf_path);
		return cg_delegate_leaf(h, leaf_fd, leaf_path, name, hk->uid, hk->gid, ret_fd, err);
	}
	return cg_err_plain(err, -EBUSY,
			    "cannot make a cgroup for '%s' below '%s': %d of them are in use",
			    hk->name, leaf_path, MAX_BASES);
}

/* In @h, make ROOT/LEAF/BASE for the monitor and add it to @t. */
static int add_base(const struct hook *hk, const struct opts *o, struct cg_hierarchy *h,
		    int root_fd, const char *root, struct cg_targets *t, struct cg_err *err)
{
	_cleanup_close_ int leaf_fd = -1;
	char leaf_path[PATH_MAX], base[NAME_MAX + 1];
	int base_fd = -1, r;

	r = cg_delegate_leaf(h, root_fd, root, o->leaf, hk->uid, hk->gid, &leaf_fd, err);
	if (r < 0)
		return r;
	if (cg_snprintf(leaf_path, sizeof(leaf_path), "%s/%s", root, o->leaf) < 0)
		return cg_err_plain(err, -ENAMETOOLONG, "cgroup path '%s' is too long", root);

	r = fresh_base(hk, h, leaf_fd, leaf_path, base, sizeof(base), &base_fd, err);
	if (r < 0)
		return r;
	return cg_targets_push(t, h, base_fd, leaf_path, base, err);
}

static int collect(const struct hook *hk, const struct opts *o, struct cg_model *m,
		   const char *root, struct cg_targets *t, struct cg_err *err)
{
	for (size_t i = 0; i < m->n; i++) {
		struct cg_hierarchy *h = &m->h[i];
		_cleanup_close_ int fd = -1;
		int r;

		if (!delegated(hk, h, root, &fd)) {
			if (o->require && cg_hierarchy_in_list(h, o->require))
				return cg_err_plain(
					err, -EACCES,
					"cannot start '%s': hierarchy %s is not delegated to uid %u at '%s'",
					hk->name, cg_hierarchy_name(h), (unsigned)hk->uid, root);
			continue;
		}

		r = add_base(hk, o, h, fd, root, t, err);
		if (r < 0)
			return r;
	}

	if (t->n == 0)
		return cg_err_plain(
			err, -EACCES,
			"cannot start '%s': no hierarchy is delegated to uid %u at '%s', so LXC would start it without cgroups",
			hk->name, (unsigned)hk->uid, root);
	return 0;
}

/* The way out, for a hook: the kernel refused to move the monitor (it was
 * started outside the owner's tree, which cgroup2 forbids to leave
 * without root), or nothing is delegated at @root yet. */
static void advise(const struct hook *hk, const struct opts *o, const char *root, bool moved,
		   struct cg_err *err)
{
	char cgroup[PATH_MAX + 16] = "";

	/* A root too long to quote is left out of the advice. */
	if (o->root && cg_snprintf(cgroup, sizeof(cgroup), " --cgroup %s", o->root) < 0)
		cgroup[0] = '\0';

	if (moved)
		cg_err_hint(
			err,
			"as root, run 'cg-adopt delegate --user %u%s' (from an init job, or from PAM at login) so that this user owns '%s'",
			(unsigned)hk->uid, cgroup, root);
	else
		cg_err_hint(
			err,
			"start the container from inside '%s': as root, place the service or login that starts it there with 'cg-adopt delegate --user %u%s --leaf service PID'",
			root, (unsigned)hk->uid, cgroup);
}

static int place_monitor(struct hook *hk, const struct opts *o, struct cg_err *err)
{
	struct cg_targets t = { 0 };
	struct cg_model m = { 0 };
	char root[PATH_MAX];
	bool moved = true;
	int r;

	r = hook_root(hk, o->root, root, sizeof(root));
	if (r < 0)
		return cg_err_plain(err, r, "cgroup path '%s' is too long", o->root);

	r = cg_model_load(&m, err);
	if (r == 0) {
		t.t = calloc(m.n + 1, sizeof(*t.t));
		r = t.t ? collect(hk, o, &m, root, &t, err)
			: cg_err_set(err, -ENOMEM, "cannot start");
	}
	if (r == 0) {
		r = cg_place_move(&t, &hk->monitor, 1, err);
		moved = r != -EACCES && r != -EPERM;
	}
	if (r == -EACCES || r == -EPERM)
		advise(hk, o, root, moved, err);

	cg_targets_free(&t);
	cg_model_free(&m);
	return r;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "leaf", required_argument, NULL, 'l' },
		{ "require", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct opts o = { .leaf = CG_DELEGATE_CONTAINERS };
	struct cg_err err = { 0 };
	struct hook hk;
	int c, r;

	/* '+': the arguments LXC appends (NAME lxc pre-start) are not ours. */
	while ((c = getopt_long(argc, argv, "+r:l:R:h", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			o.root = optarg;
			break;
		case 'l':
			o.leaf = optarg;
			break;
		case 'R':
			o.require = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			fprintf(stderr, "cg-adopt pre-start: bad option; try 'pre-start --help'\n");
			return 2;
		}
	}

	r = hook_open(&hk, "pre-start", &err);
	if (r == 0)
		r = place_monitor(&hk, &o, &err);
	if (r < 0)
		r = hook_fail(&hk, &err);

	hook_close(&hk);
	return r;
}
