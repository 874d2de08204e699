// SPDX-License-Identifier: LGPL-2.1-or-later
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <lxc/lxccontainer.h>

#include "container.h"
#include "hierarchy.h"
#include "record.h"

#define MONITOR_PREFIX "[lxc monitor] "
#define MAX_COMPONENTS 256

/* Ancestors climbed from a pid towards its container's monitor. */
#define MAX_CLIMB 64

/*
 * liblxc is loaded on first use rather than linked: loading it and the
 * libraries it pulls in costs about as much as the rest of a call to
 * cg-adopt, and a container found through its record needs none of it.
 */
static struct {
	void *handle;
	struct lxc_container *(*container_new)(const char *name, const char *configpath);
	int (*container_put)(struct lxc_container *c);
	const char *(*config_item)(const char *key);
} lxc;

static int lxc_load(void)
{
	void *h;

	if (lxc.handle)
		return 0;

	h = dlopen("liblxc.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return -ENOENT;

	lxc.container_new = (struct lxc_container * (*)(const char *, const char *))
		dlsym(h, "lxc_container_new");
	lxc.container_put = (int (*)(struct lxc_container *))dlsym(h, "lxc_container_put");
	lxc.config_item = (const char *(*)(const char *))dlsym(h, "lxc_get_global_config_item");
	if (!lxc.container_new || !lxc.container_put || !lxc.config_item) {
		dlclose(h);
		return -ENOENT;
	}

	lxc.handle = h;
	return 0;
}

static void lxc_container_putp(struct lxc_container **c)
{
	if (*c)
		lxc.container_put(*c);
}

#define _cleanup_lxc_ __attribute__((cleanup(lxc_container_putp)))

bool cg_container_name_valid(const char *name)
{
	/* No white space either: the monitor's command line ends in the name
	 * after a space, and that is how a monitor is recognised. */
	if (name[0] == '\0' || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c <= ' ' || *c == 0x7f)
			return false;
	return true;
}

/* Whether component @c (@len bytes) is @name or @name-N, N digits (LXC 4+
 * adds -1, -2... when the cgroup exists already); any name for NULL. */
static bool component_is_name(const char *c, size_t len, const char *name)
{
	size_t nlen;

	/* Any name, but not LXC's own cgroups (lxc.monitor.X, lxc.pivot)
	 * that sit beside the containers in the "lxc/NAME" layout. */
	if (!name)
		return len > 0 && strncmp(c, "lxc.", 4) != 0;

	nlen = strlen(name);
	if (len < nlen || strncmp(c, name, nlen) != 0)
		return false;
	if (len == nlen)
		return true;
	if (c[nlen] != '-' || len == nlen + 1)
		return false;

	for (size_t i = nlen + 1; i < len; i++)
		if (c[i] < '0' || c[i] > '9')
			return false;
	return true;
}

static bool component_is(const char *c, size_t len, const char *word)
{
	return len == strlen(word) && strncmp(c, word, len) == 0;
}

static int split_at(const char *path, size_t own_end, size_t root_end, char **ret_own,
		    char **ret_root)
{
	char *own = strndup(path, own_end);
	char *root = root_end == 0 ? strdup("/") : strndup(path, root_end);

	if (!own || !root) {
		free(own);
		free(root);
		return -ENOMEM;
	}

	*ret_own = own;
	*ret_root = root;
	return 0;
}

int cg_path_split_container(const char *path, const char *name, char **ret_own, char **ret_root)
{
	static const char payload[] = "lxc.payload.";
	size_t start[MAX_COMPONENTS], len[MAX_COMPONENTS], n = 0;

	for (size_t i = 0; path[i];) {
		size_t l;

		while (path[i] == '/')
			i++;
		l = strcspn(path + i, "/");
		if (l == 0)
			break;
		if (n == MAX_COMPONENTS)
			return -ENAMETOOLONG;
		start[n] = i;
		len[n++] = l;
		i += l;
	}

	for (size_t i = n; i-- > 0;) {
		const char *c = path + start[i];
		size_t own_end = start[i] + len[i];
		size_t plen = sizeof(payload) - 1;

		if (len[i] > plen && strncmp(c, payload, plen) == 0 &&
		    component_is_name(c + plen, len[i] - plen, name))
			return split_at(path, own_end, start[i] - 1, ret_own, ret_root);

		if (i == 0 || !component_is_name(c, len[i], name))
			continue;

		c = path + start[i - 1];
		if (component_is(c, len[i - 1], "lxc.payload") ||
		    component_is(c, len[i - 1], "lxc"))
			return split_at(path, own_end, start[i - 1] - 1, ret_own, ret_root);
	}

	return -ENOENT;
}

int cg_container_default_lxcpath(char **ret)
{
	const char *p;
	char *copy;

	if (lxc_load() < 0)
		return -ENOENT;

	p = lxc.config_item("lxc.lxcpath");
	if (!p)
		return -ENOENT;

	copy = strdup(p);
	if (!copy)
		return -ENOMEM;

	*ret = copy;
	return 0;
}

int cg_monitor_parse(const char *cmdline, char **ret_lxcpath, char **ret_name)
{
	size_t plen = strlen(MONITOR_PREFIX);
	const char *sp;

	if (strncmp(cmdline, MONITOR_PREFIX, plen) != 0)
		return 0;

	sp = strrchr(cmdline + plen, ' ');
	if (!sp || sp == cmdline + plen || sp[1] == '\0')
		return 0;

	*ret_lxcpath = strndup(cmdline + plen, (size_t)(sp - cmdline - (ptrdiff_t)plen));
	*ret_name = strdup(sp + 1);
	if (!*ret_lxcpath || !*ret_name) {
		free(*ret_lxcpath);
		free(*ret_name);
		return -ENOMEM;
	}
	return 1;
}

int cg_monitor_next(DIR *proc, struct cg_monitor *ret)
{
	struct dirent *de;

	while ((de = readdir(proc))) {
		_cleanup_free_ char *cmdline = NULL;
		struct cg_monitor m = { 0 };
		struct cg_pid p = CG_PID_NULL;
		uid_t euid;
		int r;

		if (cg_parse_pid(de->d_name, &m.pid) < 0 || cg_pid_open(m.pid, &p) < 0)
			continue;
		r = cg_pid_cmdline(&p, &cmdline);
		if (r == 0)
			r = cg_pid_uids(&p, &m.uid, &euid);
		cg_pid_close(&p);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue;

		r = cg_monitor_parse(cmdline, &m.lxcpath, &m.name);
		if (r < 0)
			return r;
		if (r > 0) {
			*ret = m;
			return 1;
		}
	}
	return 0;
}

void cg_monitor_done(struct cg_monitor *m)
{
	free(m->lxcpath);
	free(m->name);
	m->lxcpath = m->name = NULL;
}

/* Check that @mon is the monitor of @c (its cmdline) and the parent of the
 * init, fill the owner and read the init's cgroups.  0 or -errno. */
static int container_verify(struct cg_container *c, struct cg_err *err)
{
	_cleanup_free_ char *cmdline = NULL, *lxcpath = NULL, *name = NULL;
	unsigned long ppid, gid;
	uid_t euid;
	int r;

	r = cg_pid_cmdline(&c->monitor, &cmdline);
	if (r < 0)
		return cg_err_set(err, r, "cannot read the monitor of container '%s'", c->name);

	r = cg_monitor_parse(cmdline, &lxcpath, &name);
	if (r < 0)
		return cg_err_set(err, r, "cannot read the monitor of container '%s'", c->name);
	if (r == 0 || strcmp(lxcpath, c->lxcpath) != 0 || strcmp(name, c->name) != 0)
		return cg_err_plain(err, -ESRCH,
				    "the parent of pid %d is not the monitor of container '%s'",
				    (int)c->init.pid, c->name);

	r = cg_pid_uids(&c->monitor, &c->owner_uid, &euid);
	if (r == 0)
		r = cg_pid_status_field(&c->monitor, "Gid", &gid);
	if (r == 0)
		r = cg_proc_read(c->init.procfd, &c->cgroups);
	if (r == 0)
		r = cg_pid_status_field(&c->init, "PPid", &ppid);
	if (r < 0)
		return cg_err_set(err, r, "cannot read the processes of container '%s'", c->name);

	/* Re-checked last: the init could have exited and its pid been reused
	 * while the files above were read. */
	if ((pid_t)ppid != c->monitor.pid || cg_pid_alive(&c->init) < 0 ||
	    cg_pid_alive(&c->monitor) < 0)
		return cg_err_plain(err, -ESRCH,
				    "container '%s' stopped while it was being looked up", c->name);

	c->owner_gid = (gid_t)gid;
	return 0;
}

/* Hold the init @init_pid and its parent, the monitor. */
static int container_hold(struct cg_container *c, pid_t init_pid, struct cg_err *err)
{
	unsigned long ppid;
	int r;

	r = cg_pid_open(init_pid, &c->init);
	if (r == 0)
		r = cg_pid_status_field(&c->init, "PPid", &ppid);
	if (r == 0)
		r = cg_pid_open((pid_t)ppid, &c->monitor);
	if (r == -ESRCH)
		return cg_err_plain(err, -ESRCH, "container '%s' is not running", c->name);
	if (r < 0)
		return cg_err_set(err, r, "cannot hold the init (pid %d) of container '%s'",
				  (int)init_pid, c->name);

	return container_verify(c, err);
}

static int container_new(const char *lxcpath, const char *name, struct cg_container *ret)
{
	*ret = (struct cg_container){ .init = CG_PID_NULL, .monitor = CG_PID_NULL };
	ret->name = strdup(name);
	ret->lxcpath = strdup(lxcpath);
	return ret->name && ret->lxcpath ? 0 : -ENOMEM;
}

/* Check that @init and @monitor are the processes @rec saw start. */
static int record_matches(const struct cg_container *c, const struct cg_record *rec)
{
	unsigned long long init_start, monitor_start;

	if (cg_proc_start_time(c->init.procfd, &init_start) < 0 ||
	    cg_proc_start_time(c->monitor.procfd, &monitor_start) < 0)
		return -ESTALE;
	if (init_start != rec->init_start || monitor_start != rec->monitor_start)
		return -ESTALE;
	return 0;
}

/* The container as its record says, checked against /proc: 0, or -ESTALE
 * (or -ENOENT: no record) when liblxc has to be asked. */
static int by_record(const char *lxcpath, const char *name, struct cg_container *ret)
{
	struct cg_record rec = { 0 };
	char boot[sizeof(rec.boot_id)], conf[sizeof(rec.conf)];
	struct cg_container c;
	int r;

	r = cg_record_load(lxcpath, name, &rec);
	if (r < 0)
		return r;

	r = cg_record_context(boot, sizeof(boot), conf, sizeof(conf));
	if (r < 0 || strcmp(boot, rec.boot_id) != 0 || strcmp(conf, rec.conf) != 0 ||
	    strcmp(name, rec.name) != 0 || (lxcpath && strcmp(lxcpath, rec.lxcpath) != 0))
		return -ESTALE;

	r = container_new(rec.lxcpath, name, &c);
	if (r == 0)
		r = cg_pid_open(rec.init_pid, &c.init);
	if (r == 0)
		r = cg_pid_open(rec.monitor_pid, &c.monitor);
	if (r == 0)
		r = record_matches(&c, &rec);
	if (r == 0)
		r = container_verify(&c, NULL);

	if (r < 0) {
		cg_container_free(&c);
		return -ESTALE;
	}

	*ret = c;
	return 0;
}

/* Leave a record of @c for the next call; a failure only costs speed. */
static void record_save(const char *lxcpath, const struct cg_container *c)
{
	struct cg_record rec = { .init_pid = c->init.pid, .monitor_pid = c->monitor.pid };

	if (cg_snprintf(rec.lxcpath, sizeof(rec.lxcpath), "%s", c->lxcpath) < 0 ||
	    cg_snprintf(rec.name, sizeof(rec.name), "%s", c->name) < 0 ||
	    cg_record_context(rec.boot_id, sizeof(rec.boot_id), rec.conf, sizeof(rec.conf)) < 0 ||
	    cg_proc_start_time(c->init.procfd, &rec.init_start) < 0 ||
	    cg_proc_start_time(c->monitor.procfd, &rec.monitor_start) < 0)
		return;

	cg_record_save(lxcpath, c->name, &rec);
}

/* liblxc calls a container whose config the caller may not read "not
 * defined": tell that apart from one that is not there. */
static int not_defined(const struct cg_container *c, struct cg_err *err)
{
	char path[PATH_MAX];

	if (cg_snprintf(path, sizeof(path), "%s/%s/config", c->lxcpath, c->name) == 0 &&
	    access(path, R_OK) < 0 && (errno == EACCES || errno == EPERM))
		return cg_err_set(err, -EACCES, "cannot read container '%s' in '%s'", c->name,
				  c->lxcpath);
	return cg_err_plain(err, -ENOENT, "container '%s' does not exist in '%s'", c->name,
			    c->lxcpath);
}

/* Whether a monitor of @name in @lxcpath runs, though liblxc found the
 * container not running: its command socket did not answer this caller
 * (another gid, another network namespace). */
static bool monitor_runs(const char *lxcpath, const char *name)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	struct cg_monitor m;
	bool found = false;

	while (d && !found && cg_monitor_next(d, &m) > 0) {
		found = strcmp(m.lxcpath, lxcpath) == 0 && strcmp(m.name, name) == 0;
		cg_monitor_done(&m);
	}
	return found;
}

static int not_running(const struct cg_container *c, struct cg_err *err)
{
	cg_err_plain(err, -ESRCH, "container '%s' is not running", c->name);
	if (monitor_runs(c->lxcpath, c->name))
		cg_err_hint(
			err,
			"its monitor runs, but did not answer this caller: run 'cg-adopt doctor %s'",
			c->name);
	return -ESRCH;
}

static int by_liblxc(const char *lxcpath, const char *name, struct cg_container *ret,
		     struct cg_err *err)
{
	_cleanup_lxc_ struct lxc_container *lc = NULL;
	struct cg_container c;
	pid_t init_pid;
	int r;

	if (lxc_load() < 0)
		return cg_err_plain(err, -ENOENT, "cannot load liblxc.so.1: %s", dlerror());

	lc = lxc.container_new(name, lxcpath);
	if (!lc)
		return cg_err_plain(err, -ENOENT, "cannot load container '%s' from '%s'", name,
				    lxcpath ? lxcpath : "the default lxcpath");

	r = container_new(lc->config_path, name, &c);
	if (r < 0) {
		cg_container_free(&c);
		return cg_err_set(err, r, "cannot look up container '%s'", name);
	}

	if (!lc->is_running(lc))
		r = lc->is_defined(lc) ? not_running(&c, err) : not_defined(&c, err);

	init_pid = r == 0 ? lc->init_pid(lc) : -1;
	if (r == 0 && init_pid <= 0)
		r = cg_err_plain(err, -ESRCH, "container '%s' is not running", name);
	if (r == 0)
		r = container_hold(&c, init_pid, err);

	if (r < 0) {
		cg_container_free(&c);
		return r;
	}

	*ret = c;
	return 0;
}

int cg_container_from_pids(const char *lxcpath, const char *name, pid_t init, pid_t monitor,
			   struct cg_container *ret, struct cg_err *err)
{
	struct cg_container c;
	int r;

	r = container_new(lxcpath, name, &c);
	if (r < 0) {
		cg_container_free(&c);
		return cg_err_set(err, r, "cannot look up container '%s'", name);
	}

	r = cg_pid_open(monitor, &c.monitor);
	if (r < 0) {
		cg_container_free(&c);
		return cg_err_set(err, r, "cannot hold the monitor (pid %d) of container '%s'",
				  (int)monitor, name);
	}

	r = cg_pid_open(init, &c.init);
	if (r == 0)
		r = container_verify(&c, err);
	else
		cg_err_set(err, r, "cannot hold the init (pid %d) of container '%s'", (int)init,
			   name);
	if (r < 0) {
		cg_container_free(&c);
		return r;
	}

	*ret = c;
	return 0;
}

void cg_container_remember(const char *lxcpath, const struct cg_container *c)
{
	record_save(lxcpath, c);
}

int cg_container_by_name(const char *lxcpath, const char *name, struct cg_container *ret,
			 struct cg_err *err)
{
	int r;

	if (!cg_container_name_valid(name))
		return cg_err_plain(err, -EINVAL, "invalid container name '%s'", name);

	r = by_record(lxcpath, name, ret);
	if (r == 0)
		return 0;
	if (r == -ESTALE)
		cg_record_remove(lxcpath, name);

	r = by_liblxc(lxcpath, name, ret, err);
	if (r == 0)
		record_save(lxcpath, ret);
	return r;
}

/* The monitor above @pid among its ancestors: 1 with its lxcpath and name,
 * 0 when there is none, -errno. */
static int climb_to_monitor(pid_t pid, char **ret_lxcpath, char **ret_name)
{
	for (int i = 0; i < MAX_CLIMB && pid > 1; i++) {
		_cleanup_free_ char *cmdline = NULL;
		pid_t ppid;
		uid_t euid;
		int r;

		r = cg_pid_peek(pid, &cmdline, &ppid, &euid);
		if (r < 0)
			return r;

		r = cg_monitor_parse(cmdline, ret_lxcpath, ret_name);
		if (r != 0)
			return r;
		pid = ppid;
	}
	return 0;
}

/* Whether @pid's cgroups lie inside container @c: in every hierarchy where
 * the init has a container cgroup, the pid is at or below it. */
static int pid_is_inside(const struct cg_container *c, const struct cg_proc *cgroups)
{
	bool seen = false;

	for (size_t i = 0; i < c->cgroups.n; i++) {
		const struct cg_proc_entry *e = &c->cgroups.entries[i];
		const struct cg_proc_entry *pe = cg_proc_find(cgroups, e->version, e->controllers);
		_cleanup_free_ char *own = NULL, *root = NULL;
		int r;

		r = cg_path_split_container(e->path, c->name, &own, &root);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		if (!pe || !cg_path_is_below(pe->path, own))
			return 0;
		seen = true;
	}
	return seen ? 1 : 0;
}

/* Try container @name of @lxcpath for @pid: 1 and *ret when @pid is inside. */
static int try_candidate(const char *lxcpath, const char *name, const struct cg_proc *cgroups,
			 struct cg_container *ret)
{
	struct cg_container c;
	int r;

	r = cg_container_by_name(lxcpath, name, &c, NULL);
	if (r < 0)
		return 0;

	r = pid_is_inside(&c, cgroups);
	if (r <= 0) {
		cg_container_free(&c);
		return r;
	}

	*ret = c;
	return 1;
}

/* Attached processes (lxc-attach) are no descendants of the monitor: look
 * at every monitor of the machine and keep the one whose container holds
 * the pid's cgroups.  1 and *ret, 0 when none does, -errno. */
static int scan_monitors(const struct cg_proc *cgroups, struct cg_container *ret)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct cg_monitor m;
	int r;

	d = opendir("/proc");
	if (!d)
		return -errno;

	while ((r = cg_monitor_next(d, &m)) > 0) {
		r = try_candidate(m.lxcpath, m.name, cgroups, ret);
		cg_monitor_done(&m);
		if (r != 0)
			return r;
	}
	return r;
}

int cg_container_by_pid(pid_t pid, struct cg_container *ret, struct cg_err *err)
{
	_cleanup_free_ char *lxcpath = NULL, *name = NULL;
	struct cg_proc cgroups = { 0 };
	struct cg_pid p = CG_PID_NULL;
	int r;

	r = cg_pid_open(pid, &p);
	if (r == 0)
		r = cg_proc_read(p.procfd, &cgroups);
	cg_pid_close(&p);
	if (r == -ESRCH)
		return cg_err_plain(err, -ESRCH, "no process with pid %d", (int)pid);
	if (r < 0)
		return cg_err_set(err, r, "cannot read the cgroups of pid %d", (int)pid);

	r = climb_to_monitor(pid, &lxcpath, &name);
	if (r > 0)
		r = try_candidate(lxcpath, name, &cgroups, ret);
	if (r == 0)
		r = scan_monitors(&cgroups, ret);

	cg_proc_free(&cgroups);
	if (r < 0)
		return cg_err_set(err, r, "cannot find the container of pid %d", (int)pid);
	if (r == 0)
		return cg_err_plain(err, -ENOENT, "pid %d is not in a running container", (int)pid);
	return 0;
}

int cg_container_no_cgroups(const struct cg_container *c, struct cg_err *err)
{
	cg_err_plain(err, -ENOENT, "container '%s' has no cgroups of its own", c->name);
	cg_err_hint(
		err,
		"LXC started it without cgroups, from a cgroup not delegated to uid %u; as root, give that cgroup to the user ('cg-adopt delegate' or 'cg-adopt chown') and restart the container",
		(unsigned)c->owner_uid);
	return -ENOENT;
}

void cg_container_free(struct cg_container *c)
{
	free(c->name);
	free(c->lxcpath);
	cg_pid_close(&c->init);
	cg_pid_close(&c->monitor);
	cg_proc_free(&c->cgroups);
	c->name = c->lxcpath = NULL;
}
