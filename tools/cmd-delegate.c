// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * delegate: what "cgm create all U; cgm chown all U uid gid; cgm movepid all
 * U $$" did under cgmanager.  Root gives a user a cgroup of their own in
 * every hierarchy and moves processes into a leaf below it, so that the
 * user's services and logins share one tree the user may manage.
 */
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>

#include "commands.h"
#include "lib/delegate.h"
#include "lib/exit-codes.h"
#include "lib/place.h"

struct delegate_opts {
	const char *user;
	const char *cgroup;
	const char *controllers;
	const char *leaf;
	uid_t uid;
	gid_t gid;
};

static void delegate_usage(void)
{
	fputs("Usage:\n"
	      " cg-adopt delegate --user USER [--cgroup PATH] [--controllers LIST]\n"
	      "                   [--leaf NAME] [PID...]\n"
	      "\n"
	      "As root, give USER a delegated cgroup in every hierarchy (created where\n"
	      "missing; the directory and the delegatable files chowned) and move the\n"
	      "PIDs, by default the calling process's parent, into the leaf NAME below it.\n"
	      "Running it again changes nothing.\n"
	      "\n"
	      "Options:\n"
	      " -u, --user USER         the user (default under pam_exec: $PAM_USER)\n"
	      " -c, --cgroup PATH       the delegated cgroup (default /cg-adopt/user-UID);\n"
	      "                         a relative PATH is below the caller's own cgroup\n"
	      " -C, --controllers LIST  only these hierarchies: cpu,memory,name=systemd,cgroup2\n"
	      " -l, --leaf NAME         the leaf for the PIDs (default: session)\n"
	      " -h, --help              this text\n",
	      stdout);
}

/* The delegated cgroup of @o in @h, as a cgroup path. */
static int root_path(const struct delegate_opts *o, const struct cg_hierarchy *h, char *buf,
		     size_t size)
{
	if (!o->cgroup)
		return cg_snprintf(buf, size, CG_DELEGATE_ROOT, (unsigned)o->uid);
	if (o->cgroup[0] == '/')
		return cg_snprintf(buf, size, "%s", o->cgroup);
	return cg_snprintf(buf, size, "%s%s%s", h->self_path,
			   strcmp(h->self_path, "/") == 0 ? "" : "/", o->cgroup);
}

/* Delegate in one hierarchy and add its leaf to @t. */
/*
 * A cgroup2 cgroup gets controllers only from its parent's
 * cgroup.subtree_control, which the kernel refuses to widen while the
 * parent holds processes (EBUSY): the delegation then works, but its
 * containers get no limits.  Say so; it is no reason to fail a login.
 */
static bool has_controllers(int fd)
{
	_cleanup_free_ char *have = NULL;

	return cg_read_file_at(fd, "cgroup.controllers", &have) == 0 &&
	       have[strspn(have, " \n")] != '\0';
}

static void warn_no_controllers(const struct cg_hierarchy *h, int fd, const char *path)
{
	char fs[PATH_MAX];

	/* A hybrid host's cgroup2 has none to give: nothing to say there. */
	if (h->version != 2 || has_controllers(fd) || !has_controllers(h->mount_fd))
		return;

	if (cg_hierarchy_fs_path(h, path, fs, sizeof(fs)) < 0)
		cg_snprintf(fs, sizeof(fs), "%s", path);
	fprintf(stderr,
		"%s: warning: '%s' has no controllers, so its containers get no limits; an ancestor holds processes and could not enable them for its children: move those into a leaf, then run delegate again\n",
		cg_program, fs);
}

static int delegate_one(const struct delegate_opts *o, struct cg_hierarchy *h, struct cg_targets *t,
			struct cg_err *err)
{
	_cleanup_close_ int root_fd = -1;
	char path[PATH_MAX];
	int leaf_fd = -1;
	int r;

	if (root_path(o, h, path, sizeof(path)) < 0)
		return cg_err_plain(err, -ENAMETOOLONG, "cgroup path for hierarchy %s is too long",
				    cg_hierarchy_name(h));

	r = cg_delegate_cgroup(h, path, o->uid, o->gid, &root_fd, err);
	if (r < 0)
		return r;
	warn_no_controllers(h, root_fd, path);

	r = cg_delegate_leaf(h, root_fd, path, o->leaf, o->uid, o->gid, &leaf_fd, err);
	if (r < 0)
		return r;

	return cg_targets_push(t, h, leaf_fd, path, o->leaf, err);
}

/* Nothing to delegate to: say why, and what to do. */
static int none_matched(const struct delegate_opts *o, struct cg_err *err)
{
	if (o->controllers)
		return cg_err_plain(err, -ENOENT, "no mounted hierarchy matches '%s'",
				    o->controllers);

	cg_err_plain(err, -ENOENT, "no cgroup hierarchy is mounted here");
	cg_err_hint(
		err,
		"mount cgroupfs first; inside an LXC container, with 'lxc.mount.auto = cgroup:rw:force'");
	return -ENOENT;
}

static int hold(char **args, size_t n, struct cg_pid *pids, struct cg_err *err)
{
	for (size_t i = 0; i < (n ? n : 1); i++) {
		pid_t pid = getppid();
		int r;

		if (n)
			cg_parse_pid(args[i], &pid);
		r = cg_pid_open(pid, &pids[i]);
		if (r < 0)
			return cg_err_set(err, r, "cannot hold pid %d", (int)pid);
	}
	return 0;
}

static int delegate(const struct delegate_opts *o, char **args, size_t n)
{
	_cleanup_free_ struct cg_pid *pids = NULL;
	struct cg_model m = { 0 };
	struct cg_targets t = { 0 };
	struct cg_err err = { 0 };
	int r;

	pids = calloc(n + 1, sizeof(*pids));
	r = pids ? cg_model_load(&m, &err) : cg_err_set(&err, -ENOMEM, "cannot delegate");
	if (r == 0) {
		t.t = calloc(m.n + 1, sizeof(*t.t));
		if (!t.t)
			r = cg_err_set(&err, -ENOMEM, "cannot delegate");
	}

	for (size_t i = 0; r == 0 && i < m.n; i++)
		if (m.h[i].mountpoint && m.h[i].mount_fd >= 0 &&
		    cg_hierarchy_in_list(&m.h[i], o->controllers))
			r = delegate_one(o, &m.h[i], &t, &err);

	if (r == 0 && t.n == 0)
		r = none_matched(o, &err);
	for (size_t i = 0; pids && i <= n; i++)
		pids[i] = CG_PID_NULL;
	if (r == 0)
		r = hold(args, n, pids, &err);
	if (r == 0)
		r = cg_place_move(&t, pids, n ? n : 1, &err);

	for (size_t i = 0; pids && i <= n; i++)
		cg_pid_close(&pids[i]);
	cg_targets_free(&t);
	cg_model_free(&m);
	return r < 0 ? cmd_fail(&err, CG_EXIT_FAILURE) : CG_EXIT_OK;
}

static int resolve_user(struct delegate_opts *o)
{
	unsigned long v;
	struct passwd *pw;

	if (!o->user)
		o->user = getenv("PAM_USER");
	if (!o->user)
		return cmd_usage_error("'delegate' needs --user USER");

	pw = getpwnam(o->user);
	if (!pw && cg_parse_uint(o->user, &v) == 0 && v < (uid_t)-1)
		pw = getpwuid((uid_t)v);
	if (!pw) {
		fprintf(stderr, "%s: cannot delegate to '%s': no such user\n", cg_program, o->user);
		return CG_EXIT_FAILURE;
	}

	o->uid = pw->pw_uid;
	o->gid = pw->pw_gid;
	return -1;
}

int cmd_delegate(int argc, char **argv)
{
	static const struct option options[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "controllers", required_argument, NULL, 'C' },
		{ "leaf", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct delegate_opts o = { .leaf = CG_DELEGATE_LEAF };
	int c, rc;

	while ((c = getopt_long(argc, argv, ":u:c:C:l:h", options, NULL)) != -1) {
		switch (c) {
		case 'u':
			o.user = optarg;
			break;
		case 'c':
			o.cgroup = optarg;
			break;
		case 'C':
			o.controllers = optarg;
			break;
		case 'l':
			o.leaf = optarg;
			break;
		case 'h':
			delegate_usage();
			return cmd_close_stdout(CG_EXIT_OK);
		default:
			return cmd_bad_option(argv, c);
		}
	}

	if (!cg_container_name_valid(o.leaf))
		return cmd_usage_error("invalid leaf name '%s'", o.leaf);
	for (int i = optind; i < argc; i++) {
		pid_t pid;

		if (cg_parse_pid(argv[i], &pid) < 0)
			return cmd_usage_error("invalid pid '%s'", argv[i]);
	}
	if (geteuid() != 0) {
		fprintf(stderr,
			"%s: only root can delegate a cgroup; run it as root, from an init job or from PAM\n",
			cg_program);
		return CG_EXIT_FAILURE;
	}

	rc = resolve_user(&o);
	if (rc >= 0)
		return rc;

	return cmd_close_stdout(delegate(&o, argv + optind, (size_t)(argc - optind)));
}
