// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "clean.h"
#include "container.h"
#include "doctor.h"

static const char *const level_str[] = {
	[CG_CHECK_OK] = "ok",
	[CG_CHECK_WARN] = "warn",
	[CG_CHECK_FAIL] = "fail",
};

const char *cg_check_level_str(int level)
{
	return level_str[level];
}

void cg_checks_free(struct cg_checks *l)
{
	free(l->v);
	*l = (struct cg_checks){ 0 };
}

bool cg_checks_failed(const struct cg_checks *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].level == CG_CHECK_FAIL)
			return true;
	return false;
}

void cg_doctor_target_free(struct cg_doctor_target *t)
{
	free(t->name);
	free(t->lxcpath);
	cg_proc_free(&t->cgroups);
	t->name = t->lxcpath = NULL;
}

/* --- finding the container ------------------------------------------------- */

/* Which of the monitors of @name in @lives to diagnose: the one of the
 * caller's lxcpath, else the actor's, else the only one.  Its index, or
 * -ESRCH (none), -EEXIST (several, none preferred). */
static int monitor_pick(const struct cg_doctor_caller *c, const struct cg_lives *lives,
			const char *name)
{
	int found = -1, owned = -1, n = 0;

	for (size_t i = 0; i < lives->n; i++) {
		const struct cg_live *l = &lives->v[i];
		struct cg_pid p = CG_PID_NULL;
		uid_t ruid, euid;

		if (l->pid == 0 || strcmp(l->name, name) != 0)
			continue;
		if (c->lxcpath && strcmp(l->lxcpath, c->lxcpath) == 0)
			return (int)i;
		n++;
		found = (int)i;
		if (cg_pid_open(l->pid, &p) == 0 && cg_pid_uids(&p, &ruid, &euid) == 0 &&
		    ruid == c->actor->uid)
			owned = (int)i;
		cg_pid_close(&p);
	}
	if (owned >= 0)
		return owned;
	if (n > 1)
		return -EEXIST;
	return n == 1 ? found : -ESRCH;
}

/* The monitor's child, the container's init: the first pid in the
 * monitor's children list (hooks come and go; the init stays). */
static int init_of(const struct cg_pid *monitor, pid_t *ret)
{
	_cleanup_free_ char *text = NULL;
	char path[sizeof("task//children") + CG_INT_STRLEN(pid_t)];
	pid_t pid;
	int r;

	r = cg_snprintf(path, sizeof(path), "task/%d/children", (int)monitor->pid);
	if (r == 0)
		r = cg_read_file_at(monitor->procfd, path, &text);
	if (r < 0)
		return r;

	text[strcspn(text, " \n")] = '\0';
	if (cg_parse_pid(text, &pid) < 0)
		return -ESRCH;
	*ret = pid;
	return 0;
}

static int target_fill(struct cg_doctor_target *t, pid_t monitor_pid)
{
	struct cg_pid mon = CG_PID_NULL, init = CG_PID_NULL;
	unsigned long gid;
	uid_t euid;
	int r;

	r = cg_pid_open(monitor_pid, &mon);
	if (r == 0)
		r = cg_pid_uids(&mon, &t->uid, &euid);
	if (r == 0)
		r = cg_pid_status_field(&mon, "Gid", &gid);
	if (r == 0 && init_of(&mon, &t->init) == 0 && cg_pid_open(t->init, &init) == 0 &&
	    cg_proc_read(init.procfd, &t->cgroups) < 0)
		t->init = 0;

	t->monitor = monitor_pid;
	t->gid = (gid_t)gid;
	cg_pid_close(&init);
	cg_pid_close(&mon);
	return r;
}

int cg_doctor_find(const struct cg_doctor_caller *c, const char *name, struct cg_doctor_target *ret,
		   struct cg_err *err)
{
	struct cg_doctor_target t = { 0 };
	struct cg_lives lives = { 0 };
	int r, i;

	r = cg_lives_read(&lives);
	if (r < 0)
		return cg_err_set(err, r, "cannot list the running containers in '/proc'");

	i = monitor_pick(c, &lives, name);
	if (i == -ESRCH)
		r = cg_err_plain(err, -ESRCH,
				 "container '%s' is not running: no monitor of that name in /proc",
				 name);
	else if (i == -EEXIST)
		r = cg_err_plain(err, -EEXIST,
				 "several containers named '%s' are running; pass -P LXCPATH",
				 name);

	if (i >= 0) {
		t.name = strdup(name);
		t.lxcpath = strdup(lives.v[i].lxcpath);
		r = t.name && t.lxcpath ? target_fill(&t, lives.v[i].pid) : -ENOMEM;
		if (r == -ESRCH)
			r = cg_err_plain(err, r, "container '%s' stopped while it was looked at",
					 name);
		else if (r < 0)
			r = cg_err_set(err, r, "cannot read the monitor (pid %d) of container '%s'",
				       (int)lives.v[i].pid, name);
	}

	cg_lives_free(&lives);
	if (r < 0) {
		cg_doctor_target_free(&t);
		return r;
	}
	*ret = t;
	return 0;
}

/* --- the checks ------------------------------------------------------------- */

struct run {
	const struct cg_doctor_caller *c;
	const struct cg_doctor_target *t;
	struct cg_checks *l;
};

static struct cg_check *check_add(struct run *r, const char *id, const struct cg_hierarchy *h,
				  int level)
{
	struct cg_check *v = realloc(r->l->v, (r->l->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	r->l->v = v;
	v = &v[r->l->n++];
	*v = (struct cg_check){ .id = id, .h = h, .level = level };
	return v;
}

#define check_what(x, ...) cg_snprintf((x)->what, sizeof((x)->what), __VA_ARGS__)
#define check_fix(x, ...) cg_snprintf((x)->fix, sizeof((x)->fix), __VA_ARGS__)

static const char *group_name(gid_t gid, char *buf, size_t size)
{
	struct group *g = getgrgid(gid);

	if (g)
		cg_snprintf(buf, size, "%s", g->gr_name);
	else
		cg_snprintf(buf, size, "%u", (unsigned)gid);
	return buf;
}

static int check_credentials(struct run *r)
{
	const struct cg_doctor_caller *c = r->c;
	const struct cg_doctor_target *t = r->t;
	char group[256];
	struct cg_check *x;
	bool ok = c->uid == 0 || (c->uid == t->uid && c->gid == t->gid);

	x = check_add(r, "credentials", NULL, ok ? CG_CHECK_OK : CG_CHECK_FAIL);
	if (!x)
		return -ENOMEM;

	if (c->uid == 0)
		return check_what(x, "the command socket accepts root");
	if (ok)
		return check_what(x,
				  "the monitor (pid %d) runs as uid %u gid %u, like this session",
				  (int)t->monitor, (unsigned)t->uid, (unsigned)t->gid);

	check_what(
		x,
		"the monitor (pid %d) runs as uid %u gid %u, this session as uid %u gid %u: its command socket refuses lxc-stop, lxc-freeze, lxc-cgroup and lxc-info from here",
		(int)t->monitor, (unsigned)t->uid, (unsigned)t->gid, (unsigned)c->uid,
		(unsigned)c->gid);
	if (c->uid != t->uid)
		return check_fix(x, "run the lxc-* commands as uid %u, the container's owner",
				 (unsigned)t->uid);
	group_name(t->gid, group, sizeof(group));
	return check_fix(
		x,
		"run them with real gid %u: sg %s -c 'lxc-stop -n %s', or from a login whose primary group is %s",
		(unsigned)t->gid, group, t->name, group);
}

/* HOME as the monitor's environment has it, when the caller may read it. */
static void monitor_home(const struct cg_doctor_target *t, char *buf, size_t size)
{
	_cleanup_free_ char *env = NULL;
	struct cg_pid p = CG_PID_NULL;
	_cleanup_close_ int fd = -1;
	ssize_t n = -1;

	buf[0] = '\0';
	if (cg_pid_open(t->monitor, &p) < 0)
		return;
	fd = openat(p.procfd, "environ", O_RDONLY | O_CLOEXEC);
	env = malloc(65536);
	if (fd >= 0 && env)
		n = read(fd, env, 65535);
	cg_pid_close(&p);
	if (n <= 0)
		return;

	env[n] = '\0';
	for (char *e = env; e < env + n; e += strlen(e) + 1)
		if (strncmp(e, "HOME=", 5) == 0) {
			cg_snprintf(buf, size, "%s", e + 5);
			return;
		}
}

static int check_lxcpath(struct run *r)
{
	const struct cg_doctor_caller *c = r->c;
	const struct cg_doctor_target *t = r->t;
	bool ok = c->lxcpath && strcmp(c->lxcpath, t->lxcpath) == 0;
	char home[PATH_MAX];
	struct cg_check *x;

	x = check_add(r, "lxcpath", NULL, ok ? CG_CHECK_OK : CG_CHECK_FAIL);
	if (!x)
		return -ENOMEM;
	if (ok)
		return check_what(
			x,
			"the monitor runs from lxcpath '%s', which the lxc-* commands here use%s",
			t->lxcpath, c->lxcpath_given ? " with -P" : "");

	monitor_home(t, home, sizeof(home));
	check_what(
		x,
		"the lxc-* commands here look in lxcpath '%s'%s%s%s, the monitor runs from '%s'%s%s%s: they do not find the container",
		c->lxcpath ? c->lxcpath : "(unknown)", c->lxcpath_given ? " (-P)" : " (HOME=",
		c->lxcpath_given ? "" : (c->home ? c->home : "unset"), c->lxcpath_given ? "" : ")",
		t->lxcpath, home[0] ? " (HOME=" : "", home, home[0] ? ")" : "");
	if (home[0] && !c->lxcpath_given)
		return check_fix(
			x,
			"pass -P '%s' to every lxc-* command (lxc-stop -P '%s' -n %s), or run them with HOME=%s",
			t->lxcpath, t->lxcpath, t->name, home);
	return check_fix(x, "pass -P '%s' to every lxc-* command (lxc-stop -P '%s' -n %s)",
			 t->lxcpath, t->lxcpath, t->name);
}

/* Whether "@LXCPATH/NAME/command" is bound in the caller's network
 * namespace, whose sockets /proc/net/unix lists. */
static bool socket_visible(const struct cg_doctor_target *t)
{
	struct cg_lives lives = { 0 };
	bool seen = false;

	if (cg_lives_read(&lives) < 0)
		return false;
	for (size_t i = 0; i < lives.n; i++)
		if (lives.v[i].pid == 0 && strcmp(lives.v[i].name, t->name) == 0 &&
		    strcmp(lives.v[i].lxcpath, t->lxcpath) == 0)
			seen = true;
	cg_lives_free(&lives);
	return seen;
}

/* 1 when the caller and the monitor share a network namespace, 0 when
 * not, -errno when the monitor's cannot be read (another gid, say). */
static int same_netns(const struct cg_doctor_target *t, char *mine, char *theirs, size_t size)
{
	char path[sizeof("/proc//ns/net") + CG_INT_STRLEN(pid_t)];
	struct stat a, b;

	if (stat("/proc/self/ns/net", &a) < 0)
		return -errno;
	cg_snprintf(mine, size, "net:[%lu]", (unsigned long)a.st_ino);
	if (cg_snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)t->monitor) < 0 ||
	    stat(path, &b) < 0)
		return -errno;
	cg_snprintf(theirs, size, "net:[%lu]", (unsigned long)b.st_ino);
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int check_netns(struct run *r)
{
	const struct cg_doctor_target *t = r->t;
	char mine[64] = "", theirs[64] = "unreadable";
	bool visible = socket_visible(t);
	int same = same_netns(t, mine, theirs, sizeof(mine));
	struct cg_check *x;

	x = check_add(r, "netns", NULL, visible || same > 0 ? CG_CHECK_OK : CG_CHECK_FAIL);
	if (!x)
		return -ENOMEM;
	if (visible || same > 0)
		return check_what(
			x,
			"the monitor's command socket '@%s/%s/command' is reachable from this network namespace %s",
			t->lxcpath, t->name, mine);

	check_what(
		x,
		"this session is in network namespace %s, the monitor in %s: its abstract command socket '@%s/%s/command' exists only there",
		mine, theirs, t->lxcpath, t->name);
	return check_fix(
		x,
		"run the lxc-* commands in the monitor's network namespace, as root: nsenter --net=/proc/%d/ns/net lxc-stop -P '%s' -n %s",
		(int)t->monitor, t->lxcpath, t->name);
}

static int check_cgroups(struct run *r)
{
	const struct cg_doctor_target *t = r->t;
	char missing[1024] = "";
	size_t have = 0, n = 0;
	struct cg_check *x;

	for (size_t i = 0; i < t->cgroups.n; i++) {
		const struct cg_proc_entry *e = &t->cgroups.entries[i];
		_cleanup_free_ char *own = NULL, *root = NULL;
		size_t len = strlen(missing);

		if (!cg_model_find(r->c->model, e))
			continue;
		n++;
		if (cg_path_split_container(e->path, t->name, &own, &root) == 0) {
			have++;
			continue;
		}
		cg_snprintf(missing + len, sizeof(missing) - len, "%s%s", len ? ", " : "",
			    e->version == 2 ? "cgroup2" : e->controllers);
	}

	x = check_add(r, "cgroups", NULL, t->init && have == n ? CG_CHECK_OK : CG_CHECK_FAIL);
	if (!x)
		return -ENOMEM;
	if (!t->init)
		return check_what(
			x,
			"the monitor (pid %d) has no init: the container is starting or stopping",
			(int)t->monitor);
	if (have == n)
		return check_what(x, "the container has cgroups of its own in all %zu hierarchies",
				  n);

	if (have == 0)
		check_what(
			x,
			"started without cgroups: its init (pid %d) sits in '%s', with no lxc.payload component in any hierarchy, so lxc-freeze and lxc-cgroup fail",
			(int)t->init, t->cgroups.n ? t->cgroups.entries[0].path : "?");
	else
		check_what(x,
			   "the container has no cgroup of its own in %s: lxc-cgroup fails there",
			   missing);
	return check_fix(
		x,
		"stop it, run 'cg-adopt delegate --user %u' as root (or through sudo), and start it from the delegated cgroup",
		(unsigned)t->uid);
}

/* Whether the caller may move itself into @root of @h, with the actor's
 * credentials through sudo. */
static int may_enter(struct run *r, const struct cg_hierarchy *h, const char *root, char *why,
		     size_t size)
{
	const struct cg_actor *a = r->c->actor;
	struct cg_actor_saved saved;
	int e, k;

	if (a->root && !a->sudo)
		return 0;
	e = cg_actor_enter(a, &saved, NULL);
	if (e < 0)
		return e;
	e = cg_may_enter(h, h->self_path, root, geteuid(), a->uid, a->uid, why, size);
	k = cg_actor_leave(&saved, NULL);
	return e < 0 ? e : k;
}

static int check_owner(struct run *r, const struct cg_hierarchy *h, const char *root, int fd)
{
	struct stat st, procs;
	char fs[PATH_MAX];
	bool ok;
	struct cg_check *x;

	if (fstat(fd, &st) < 0 || fstatat(fd, "cgroup.procs", &procs, 0) < 0)
		return 0;
	ok = st.st_uid == r->t->uid && procs.st_uid == r->t->uid;
	x = check_add(r, "owner", h, ok ? CG_CHECK_OK : CG_CHECK_FAIL);
	if (!x)
		return -ENOMEM;

	if (cg_hierarchy_fs_path(h, root, fs, sizeof(fs)) < 0)
		cg_snprintf(fs, sizeof(fs), "%s", root);
	if (ok)
		return check_what(x, "the container's root '%s' belongs to its owner, uid %u", fs,
				  (unsigned)r->t->uid);
	check_what(
		x,
		"the container's root '%s' (or its cgroup.procs) belongs to uid %u, not to the container's owner uid %u",
		fs, (unsigned)(st.st_uid != r->t->uid ? st.st_uid : procs.st_uid),
		(unsigned)r->t->uid);
	return check_fix(x, "hand the tree to its owner as root: cg-adopt chown -P '%s' %s",
			 r->t->lxcpath, r->t->name);
}

static int check_enter(struct run *r, const struct cg_hierarchy *h, const char *root)
{
	char why[PATH_MAX + 256] = "";
	int e = may_enter(r, h, root, why, sizeof(why));
	struct cg_check *x;

	x = check_add(r, "enter", h, e == 0 ? CG_CHECK_OK : CG_CHECK_FAIL);
	if (!x)
		return -ENOMEM;
	if (e == 0)
		return check_what(
			x,
			"this session may enter the container's root '%s' in %s, so lxc-attach lands inside",
			root, cg_hierarchy_name(h));

	if (e != -EACCES)
		cg_snprintf(why, sizeof(why), "%s", strerror(-e));
	check_what(
		x,
		"lxc-attach from here leaves the attached process outside the container in %s: %s",
		cg_hierarchy_name(h), why);
	return check_fix(
		x,
		"attach through cg-adopt: sudo cg-adopt exec -P '%s' %s -- lxc-attach -n %s (or start the session inside the container's tree with 'cg-adopt delegate')",
		r->t->lxcpath, r->t->name, r->t->name);
}

static int check_hierarchies(struct run *r)
{
	for (size_t i = 0; i < r->t->cgroups.n; i++) {
		const struct cg_proc_entry *e = &r->t->cgroups.entries[i];
		const struct cg_hierarchy *h = cg_model_find(r->c->model, e);
		_cleanup_free_ char *own = NULL, *root = NULL;
		_cleanup_close_ int fd = -1;
		int k;

		if (!h || cg_path_split_container(e->path, r->t->name, &own, &root) < 0)
			continue;
		if (cg_hierarchy_open(h, root, &fd) < 0)
			continue;
		k = check_enter(r, h, root);
		if (k == 0)
			k = check_owner(r, h, root, fd);
		if (k == -ENOMEM)
			return k;
	}
	return 0;
}

/* Whether @x is one of the running container's own cgroups. */
static bool is_live(const struct cg_doctor_target *t, const struct cg_leftover *x)
{
	for (size_t i = 0; i < t->cgroups.n; i++) {
		const struct cg_proc_entry *e = &t->cgroups.entries[i];
		_cleanup_free_ char *own = NULL, *root = NULL, *mon = NULL;
		const char *comp;
		bool live;

		if (e->version != x->h->version || strcmp(e->controllers, x->h->controllers) != 0 ||
		    cg_path_split_container(e->path, t->name, &own, &root) < 0)
			continue;
		live = strcmp(own, x->path) == 0;
		comp = strrchr(own, '/') + 1;
		/* The monitor's cgroup is the payload's twin (LXC 4+ only). */
		if (!live && x->kind == CG_LEFT_MONITOR && strncmp(comp, "lxc.payload.", 12) == 0 &&
		    asprintf(&mon, "%s/lxc.monitor.%s", strcmp(root, "/") ? root : "", comp + 12) >
			    0)
			live = strcmp(mon, x->path) == 0;
		return live;
	}
	return false;
}

static int check_leftovers(struct run *r)
{
	char *const names[] = { r->t->name, NULL };
	struct cg_clean_opts o = { .actor = r->c->actor, .names = names, .dry_run = true };
	struct cg_leftovers l = { 0 };
	struct cg_check *x;
	size_t n = 0;
	int e;

	e = cg_clean_scan(r->c->model, &o, &l, NULL);
	if (e < 0)
		return e == -ENOMEM ? e : 0;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].name && !is_live(r->t, &l.v[i]))
			n++;
	cg_leftovers_free(&l);

	x = check_add(r, "leftovers", NULL, n ? CG_CHECK_WARN : CG_CHECK_OK);
	if (!x)
		return -ENOMEM;
	if (n == 0)
		return check_what(
			x, "no cgroups of earlier runs of '%s' are left below this session's tree",
			r->t->name);
	check_what(
		x,
		"%zu cgroups of earlier runs of '%s' are left (the current ones are -N twins of them)",
		n, r->t->name);
	return check_fix(x, "after lxc-stop: cg-adopt clean %s", r->t->name);
}

int cg_doctor_run(const struct cg_doctor_caller *c, const struct cg_doctor_target *t,
		  struct cg_checks *ret, struct cg_err *err)
{
	struct cg_checks l = { 0 };
	struct run r = { .c = c, .t = t, .l = &l };
	int e;

	/* A message cut short still says what it has to: truncation of a
	 * check's text (-ENAMETOOLONG) is not an error here. */
	e = check_credentials(&r);
	if (e != -ENOMEM)
		e = check_lxcpath(&r);
	if (e != -ENOMEM)
		e = check_netns(&r);
	if (e != -ENOMEM)
		e = check_cgroups(&r);
	if (e != -ENOMEM)
		e = check_hierarchies(&r);
	if (e != -ENOMEM)
		e = check_leftovers(&r);

	if (e == -ENOMEM) {
		cg_checks_free(&l);
		return cg_err_set(err, e, "cannot check container '%s'", t->name);
	}
	*ret = l;
	return 0;
}
