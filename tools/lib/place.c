// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/sched.h>

#include "delegate.h"
#include "place.h"

/* Controllers that a cgroup2 cgroup may enable for its children and still
 * hold processes itself (threaded-capable); any other one in its
 * cgroup.subtree_control puts it under the no-internal-process rule. */
static bool holds_processes(int fd)
{
	static const char *const threaded[] = { "cpu", "cpuset", "perf_event", "pids" };
	_cleanup_free_ char *enabled = NULL;
	char *save = NULL;

	if (cg_read_file_at(fd, "cgroup.subtree_control", &enabled) < 0)
		return true;

	for (char *c = strtok_r(enabled, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
		bool ok = false;

		for (size_t i = 0; i < CG_ARRAY_SIZE(threaded); i++)
			ok = ok || strcmp(c, threaded[i]) == 0;
		if (!ok)
			return false;
	}
	return true;
}

/*
 * On cgroup2 a target with domain controllers for its children may hold no
 * process (EBUSY): use a leaf below it instead, made where missing, the
 * one LXC itself attaches into (".lxc") for a container's own cgroup, and
 * CG_PLACE_LEAF for its root.  Through sudo the leaf is the actor's.
 */
static int target_leaf(struct cg_target *x, bool payload, const struct cg_actor *a,
		       struct cg_err *err)
{
	const char *leaf = payload ? ".lxc" : CG_PLACE_LEAF;
	_cleanup_close_ int fd = -1;
	char *path = NULL;
	bool made;
	int r;

	if (x->h->version != 2 || holds_processes(x->fd))
		return 0;

	made = mkdirat(x->fd, leaf, 0755) == 0;
	if (!made && errno != EEXIST) {
		char fs[PATH_MAX];

		r = -errno;
		if (cg_hierarchy_fs_path(x->h, x->path, fs, sizeof(fs)) < 0)
			cg_snprintf(fs, sizeof(fs), "%s", x->path);
		cg_err_set(err, r, "cannot make the leaf '%s/%s'", fs, leaf);
		cg_err_hint(
			err,
			"'%s' has domain controllers for its children, so it may hold no process itself; use --payload, or have root give the cgroup to you ('cg-adopt chown')",
			fs);
		return r;
	}

	fd = openat(x->fd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cg_err_set(err, -errno, "cannot open the leaf '%s/%s'", x->path, leaf);

	if (asprintf(&path, "%s/%s", x->path, leaf) < 0)
		return cg_err_set(err, -ENOMEM, "cannot open the leaf '%s/%s'", x->path, leaf);
	r = made && a->sudo ? cg_delegate_give(x->h, fd, path, a->uid, a->gid, err) : 0;
	if (r < 0) {
		free(path);
		return r;
	}

	if (made)
		x->made_in = x->fd;
	else
		close(x->fd);
	x->leaf = leaf;
	free(x->path);
	x->fd = cg_steal_fd(fd);
	x->path = path;
	return 0;
}

static int target_add(struct cg_targets *t, struct cg_hierarchy *h, const char *path, bool payload,
		      const struct cg_actor *a, struct cg_err *err)
{
	struct cg_target *x = &t->t[t->n];
	char fs[PATH_MAX];
	int r;

	if (cg_hierarchy_fs_path(h, path, fs, sizeof(fs)) < 0)
		cg_snprintf(fs, sizeof(fs), "%s", path);

	r = cg_hierarchy_open(h, path, &x->fd);
	if (r == -ENOENT || r == -ENODEV)
		return cg_err_set(err, r, "cannot open '%s': the container's cgroup vanished", fs);
	if (r == -EXDEV)
		return cg_err_plain(err, r, "cgroup '%s' of hierarchy %s is not visible from here",
				    path, cg_hierarchy_name(h));
	if (r < 0)
		return cg_err_set(err, r, "cannot open '%s'", fs);

	x->h = h;
	x->made_in = -1;
	x->path = strdup(path);
	t->n++;
	if (!x->path)
		return cg_err_set(err, -ENOMEM, "cannot open '%s'", fs);

	r = cg_actor_owns_cgroup(a, x->fd, fs, err);
	if (r < 0)
		return r;
	return target_leaf(x, payload, a, err);
}

int cg_targets_get(const struct cg_model *m, const struct cg_container *c, bool payload,
		   const struct cg_actor *a, struct cg_targets *ret, struct cg_err *err)
{
	struct cg_targets t = { 0 };
	int r = 0;

	t.t = calloc(c->cgroups.n + 1, sizeof(*t.t));
	if (!t.t)
		return cg_err_set(err, -ENOMEM, "cannot look up the cgroups of '%s'", c->name);

	for (size_t i = 0; i < c->cgroups.n && r == 0; i++) {
		const struct cg_proc_entry *e = &c->cgroups.entries[i];
		struct cg_hierarchy *h = cg_model_find(m, e);
		_cleanup_free_ char *own = NULL, *root = NULL;

		/* No cgroup of its own here (LXC found it not writable), or
		 * a hierarchy that is not mounted where we could reach it. */
		if (!h || !h->mountpoint ||
		    cg_path_split_container(e->path, c->name, &own, &root) < 0)
			continue;

		r = target_add(&t, h, payload ? own : root, payload, a, err);
	}

	if (r == 0 && t.n == 0)
		r = cg_container_no_cgroups(c, err);
	if (r < 0) {
		cg_targets_free(&t);
		return r;
	}

	*ret = t;
	return 0;
}

int cg_targets_push(struct cg_targets *t, struct cg_hierarchy *h, int fd, const char *dir,
		    const char *leaf, struct cg_err *err)
{
	struct cg_target *x = &t->t[t->n];

	if (asprintf(&x->path, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", leaf) < 0) {
		close(fd);
		return cg_err_set(err, -ENOMEM, "cannot place below '%s'", dir);
	}

	x->h = h;
	x->fd = fd;
	x->made_in = -1;
	t->n++;
	return 0;
}

void cg_targets_free(struct cg_targets *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct cg_target *x = &t->t[i];

		free(x->path);
		if (x->fd >= 0)
			close(x->fd);
		/* EBUSY: in use, as it should be; ENOENT: gone already. */
		if (x->made_in >= 0) {
			unlinkat(x->made_in, x->leaf, AT_REMOVEDIR);
			close(x->made_in);
		}
	}
	free(t->t);
	t->t = NULL;
	t->n = 0;
}

/* One process's step of a move in one hierarchy, kept for the rollback. */
struct step {
	const struct cg_target *target;
	const struct cg_pid *pid;
	char *from; /* the process's cgroup before the move */
	int from_fd;
	bool moved;
};

static int write_pid(int dirfd, pid_t pid)
{
	char buf[CG_INT_STRLEN(pid_t)];
	int r;

	r = cg_snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (r < 0)
		return r;
	return cg_write_file_at(dirfd, "cgroup.procs", buf);
}

/* Turn the kernel's refusal @r of step @s into one message. */
static int explain(const struct step *s, int r, struct cg_err *err)
{
	const struct cg_hierarchy *h = s->target->h;
	char fs[PATH_MAX], why[PATH_MAX + 256] = "";
	uid_t ruid = 0, euid = 0;

	if (cg_hierarchy_fs_path(h, s->target->path, fs, sizeof(fs)) < 0)
		cg_snprintf(fs, sizeof(fs), "%s", s->target->path);

	cg_err_set(err, r, "cannot move pid %d into '%s' (%s)", (int)s->pid->pid, fs,
		   cg_hierarchy_name(h));

	if (r == -EACCES || r == -EPERM) {
		cg_pid_uids(s->pid, &ruid, &euid);
		if (cg_may_enter(h, s->from, s->target->path, geteuid(), ruid, euid, why,
				 sizeof(why)) == -EACCES)
			cg_err_hint(
				err,
				"%s; run it as root through sudo, or start the session inside the container's tree ('cg-adopt delegate' at login)",
				why);
	} else if (r == -EBUSY) {
		cg_err_hint(
			err,
			"that cgroup has domain controllers in cgroup.subtree_control, so it may hold no processes (no-internal-process rule); use --payload or a leaf cgroup");
	} else if (r == -ENOSPC) {
		cg_err_hint(err, "that cpuset has no cpus or mems");
	} else if (r == -ESRCH) {
		cg_err_hint(err, "the process exited");
	}
	return r;
}

/* Add the steps of process @p to @steps (*n of them so far). */
static int steps_add(const struct cg_targets *t, const struct cg_pid *p, struct step *steps,
		     size_t *n, struct cg_err *err)
{
	struct cg_proc now = { 0 };
	int r;

	r = cg_proc_read(p->procfd, &now);
	if (r < 0)
		return cg_err_set(err, r, "cannot read the cgroups of pid %d", (int)p->pid);

	/* cgroup2 first: its delegation rules refuse most often, and nothing
	 * needs undoing when the first step fails. */
	for (int version = 2; version >= 1 && r == 0; version--) {
		for (size_t i = 0; i < t->n && r == 0; i++) {
			const struct cg_target *x = &t->t[i];
			const struct cg_proc_entry *e;
			struct step *s = &steps[*n];

			if (x->h->version != version)
				continue;

			e = cg_proc_find(&now, x->h->version, x->h->controllers);
			if (!e) {
				r = cg_err_plain(err, -ENOENT,
						 "pid %d is in no cgroup of hierarchy %s",
						 (int)p->pid, cg_hierarchy_name(x->h));
				break;
			}
			if (strcmp(e->path, x->path) == 0)
				continue;

			/* Opened now, so that a failed move can be undone. */
			r = cg_hierarchy_open(x->h, e->path, &s->from_fd);
			if (r < 0) {
				cg_err_set(
					err, r,
					"cannot open the cgroup '%s' of pid %d in hierarchy %s, so a failed move could not be undone",
					e->path, (int)p->pid, cg_hierarchy_name(x->h));
				break;
			}

			s->target = x;
			s->pid = p;
			s->from = strdup(e->path);
			(*n)++;
			if (!s->from)
				r = cg_err_set(err, -ENOMEM, "cannot move pid %d", (int)p->pid);
		}
	}

	cg_proc_free(&now);
	return r;
}

static void steps_undo(struct step *steps, size_t n, struct cg_err *err)
{
	for (size_t i = n; i-- > 0;) {
		int r;

		/* Never write the pid of a process that exited: it may name
		 * another process by now. */
		if (!steps[i].moved || cg_pid_alive(steps[i].pid) < 0)
			continue;

		r = write_pid(steps[i].from_fd, steps[i].pid->pid);
		if (r < 0)
			cg_err_hint(
				err,
				"and pid %d could not be moved back into '%s' of hierarchy %s: %s",
				(int)steps[i].pid->pid, steps[i].from,
				cg_hierarchy_name(steps[i].target->h), strerror(-r));
	}
}

static int steps_run(struct step *steps, size_t n, struct cg_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int r;

		r = write_pid(steps[i].target->fd, steps[i].pid->pid);
		/* A pid that was reused after its process exited would have
		 * been moved instead: a pidfd still running says it was not. */
		if (r == 0)
			r = cg_pid_alive(steps[i].pid);
		if (r == 0) {
			steps[i].moved = true;
			continue;
		}

		explain(&steps[i], r, err);
		steps_undo(steps, i, err);
		return r;
	}
	return 0;
}

int cg_place_move(const struct cg_targets *t, const struct cg_pid *p, size_t n, struct cg_err *err)
{
	_cleanup_free_ struct step *steps = NULL;
	size_t nsteps = 0;
	int r = 0;

	steps = calloc(t->n * n + 1, sizeof(*steps));
	if (!steps)
		return cg_err_set(err, -ENOMEM, "cannot move %zu processes", n);

	for (size_t i = 0; i < n && r == 0; i++)
		r = steps_add(t, &p[i], steps, &nsteps, err);
	if (r == 0)
		r = steps_run(steps, nsteps, err);

	for (size_t i = 0; i < nsteps; i++) {
		close(steps[i].from_fd);
		free(steps[i].from);
	}
	return r;
}

const struct cg_target *cg_targets_v2(const struct cg_targets *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->t[i].h->version == 2)
			return &t->t[i];
	return NULL;
}

int cg_targets_v1_view(const struct cg_targets *t, struct cg_targets *ret)
{
	struct cg_targets v = { .t = calloc(t->n + 1, sizeof(*v.t)) };

	if (!v.t)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++)
		if (t->t[i].h->version == 1)
			v.t[v.n++] = t->t[i];

	*ret = v;
	return 0;
}

int cg_place_clone(const struct cg_target *x, pid_t *ret_pid, struct cg_err *err)
{
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)x->fd,
	};
	struct cg_pid self = { .pid = getpid(), .pidfd = -1, .procfd = -1 };
	struct step s = { .target = x, .pid = &self, .from = x->h->self_path };
	long pid;

	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && (errno == ENOSYS || errno == E2BIG || errno == EINVAL))
		return -EOPNOTSUPP;
	if (pid < 0)
		return explain(&s, -errno, err);

	*ret_pid = (pid_t)pid;
	return 0;
}
