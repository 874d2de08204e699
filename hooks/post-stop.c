// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lxc.hook.post-stop: leave nothing behind.  LXC removes the container's
 * cgroups at stop but parks the exiting monitor in "lxc.pivot" beside
 * them, which it never removes (LXC 4 to 6).  During post-stop the monitor
 * (and this hook, its child) still sits there, so the removal is deferred:
 * a detached waiter leaves lxc.pivot, waits on a pidfd for the monitor to
 * exit and removes lxc.pivot where it is empty.  rmdir refuses a cgroup
 * with processes or children (EBUSY), so a pivot that another container's
 * monitor is passing through is left alone.
 *
 *   lxc.hook.post-stop = .../post-stop [--root CGROUP]
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>

#include "lib/delegate.h"
#include "lib/hierarchy.h"
#include "lib/hook.h"

#define PIVOT "lxc.pivot"

/* How long the waiter waits for the monitor before it gives up. */
#define WAIT_MS (60 * 1000)

struct pivot {
	struct cg_hierarchy *h;
	int base_fd; /* the cgroup that holds lxc.pivot */
	int leaf_fd; /* when that is a base pre-start made: the leaf above it */
	char base[NAME_MAX + 1];
	bool left; /* the waiter is out of it */
};

/* The waiter's place outside lxc.pivot in @h: the pivot's parent, or on
 * cgroup2, where that parent may hold no process (domain controllers for
 * its children), the owner's session leaf. */
static bool leave_pivot(struct pivot *p, const char *park)
{
	_cleanup_close_ int fd = -1;
	char pid[CG_INT_STRLEN(pid_t)];

	/* Sized for any pid: cannot be cut. */
	cg_snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (cg_write_file_at(p->base_fd, "cgroup.procs", pid) == 0)
		return true;

	if (p->h->version != 2 || cg_hierarchy_open(p->h, park, &fd) < 0)
		return false;
	return cg_write_file_at(fd, "cgroup.procs", pid) == 0;
}

static void waiter(const struct hook *hk, struct pivot *pivots, size_t n, const char *park)
{
	struct pollfd pfd = { .fd = hk->monitor.pidfd, .events = POLLIN };

	for (size_t i = 0; i < n; i++)
		pivots[i].left = leave_pivot(&pivots[i], park);

	if (poll(&pfd, 1, WAIT_MS) <= 0)
		return;

	/* EBUSY: another monitor is passing through; ENOENT: someone else
	 * removed it first.  Both are fine.  A base that pre-start made for
	 * this start goes too, once empty. */
	for (size_t i = 0; i < n; i++) {
		if (!pivots[i].left)
			continue;
		unlinkat(pivots[i].base_fd, PIVOT, AT_REMOVEDIR);
		if (pivots[i].leaf_fd >= 0)
			unlinkat(pivots[i].leaf_fd, pivots[i].base, AT_REMOVEDIR);
	}
}

/* Fork a waiter that nobody waits for: it must not keep the monitor's
 * pipe to this hook open, nor be the monitor's child when it exits. */
static int detach(void)
{
	int status, fd;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		return waitpid(pid, &status, 0) < 0 ? -errno : 1;

	setsid();
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0 && (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0))
		_exit(1);
	if (fork() != 0)
		_exit(0);
	return 0;
}

/* The hierarchies in which this hook sits in a cgroup named lxc.pivot. */
/* Whether @base is one that pre-start made below @leaf (ROOT/lxc/NAME[-N]);
 * then the leaf's fd and the base's name go into @p. */
static void mark_ours(struct pivot *p, const char *base, const char *leaf, const char *name)
{
	_cleanup_free_ char *parent = NULL;
	const char *last = strrchr(base, '/');

	p->leaf_fd = -1;
	if (!last || cg_path_parent(base, &parent) < 0 || strcmp(parent, leaf) != 0 ||
	    strncmp(last + 1, name, strlen(name)) != 0 ||
	    cg_snprintf(p->base, sizeof(p->base), "%s", last + 1) < 0)
		return;
	if (cg_hierarchy_open(p->h, parent, &p->leaf_fd) < 0)
		p->leaf_fd = -1;
}

static size_t find_pivots(struct cg_model *m, struct pivot *pivots, const char *leaf,
			  const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n; i++) {
		struct cg_hierarchy *h = &m->h[i];
		_cleanup_free_ char *base = NULL;
		const char *last = strrchr(h->self_path, '/');

		if (!last || strcmp(last + 1, PIVOT) != 0 ||
		    cg_path_parent(h->self_path, &base) < 0)
			continue;
		if (cg_hierarchy_open(h, base, &pivots[n].base_fd) < 0)
			continue;
		pivots[n].h = h;
		mark_ours(&pivots[n++], base, leaf, name);
	}
	return n;
}

static int clean_up(const struct hook *hk, const char *root_opt, struct cg_err *err)
{
	_cleanup_free_ struct pivot *pivots = NULL;
	char root[PATH_MAX], park[PATH_MAX + 16], leaf[PATH_MAX + 16];
	struct cg_model m = { 0 };
	size_t n;
	int r;

	r = hook_root(hk, root_opt, root, sizeof(root));
	if (r == 0)
		r = cg_snprintf(park, sizeof(park), "%s/" CG_DELEGATE_LEAF, root);
	if (r == 0)
		r = cg_snprintf(leaf, sizeof(leaf), "%s/" CG_DELEGATE_CONTAINERS, root);
	if (r < 0)
		return cg_err_plain(err, r, "cgroup path '%s' is too long", root_opt);

	r = cg_model_load(&m, err);
	if (r < 0)
		return r;

	pivots = calloc(m.n + 1, sizeof(*pivots));
	n = pivots ? find_pivots(&m, pivots, leaf, hk->name) : 0;
	if (n > 0) {
		r = detach();
		if (r == 0) {
			waiter(hk, pivots, n, park);
			_exit(0);
		}
		if (r < 0)
			cg_err_set(err, r, "cannot start the waiter for '%s'", hk->name);
	}

	for (size_t i = 0; i < n; i++) {
		close(pivots[i].base_fd);
		if (pivots[i].leaf_fd >= 0)
			close(pivots[i].leaf_fd);
	}
	cg_model_free(&m);
	return r < 0 ? r : 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct cg_err err = { 0 };
	const char *root = NULL;
	struct hook hk;
	int c, r;

	while ((c = getopt_long(argc, argv, "+r:h", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'h':
			puts("Usage: post-stop [--root CGROUP]\n\nAn lxc.hook.post-stop: remove lxc.pivot once the monitor has exited.\nSee cg-adopt(1).");
			return 0;
		default:
			fprintf(stderr, "cg-adopt post-stop: bad option; try 'post-stop --help'\n");
			return 2;
		}
	}

	r = hook_open(&hk, "post-stop", &err);
	if (r == 0)
		r = clean_up(&hk, root, &err);
	/* A post-stop hook that fails changes nothing for LXC: say it, exit 0. */
	if (r < 0)
		hook_fail(&hk, &err);

	hook_close(&hk);
	return 0;
}
