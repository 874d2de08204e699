// SPDX-License-Identifier: LGPL-2.1-or-later
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>

#include "commands.h"
#include "lib/exit-codes.h"

static void chown_usage(void)
{
	fputs("Usage:\n"
	      " cg-adopt chown [-P LXCPATH] NAME [--user USER]\n"
	      "\n"
	      "As root, give the cgroup tree of container NAME in every hierarchy (its\n"
	      "root, the delegatable files, and the cgroups below that root or nobody\n"
	      "else owns) to USER, by default the container's owner.\n"
	      "\n"
	      "Options:\n"
	      " -P, --lxcpath PATH  the container's lxcpath (default: liblxc's)\n"
	      " -u, --user USER     the new owner, a name or a uid\n"
	      " -h, --help          this text\n",
	      stdout);
}

/* Resolve @user (NULL: the container's owner) to a uid and gid. */
static int new_owner(const struct cmd_target *t, const char *user, uid_t *ret_uid, gid_t *ret_gid,
		     struct cg_err *err)
{
	unsigned long v;
	struct passwd *pw;

	if (!user) {
		pw = getpwuid(t->c.owner_uid);
		*ret_uid = t->c.owner_uid;
		*ret_gid = pw ? pw->pw_gid : t->c.owner_gid;
		return 0;
	}

	pw = getpwnam(user);
	if (!pw && cg_parse_uint(user, &v) == 0 && v < (uid_t)-1)
		pw = getpwuid((uid_t)v);
	if (!pw)
		return cg_err_plain(err, -ENOENT, "no such user '%s'", user);

	*ret_uid = pw->pw_uid;
	*ret_gid = pw->pw_gid;
	return 0;
}

/* Through sudo every root must already be the actor's: check them all
 * before anything changes. */
static int check_roots(const struct cmd_target *t, struct cg_err *err)
{
	for (size_t i = 0; i < t->c.cgroups.n; i++) {
		const struct cg_proc_entry *e = &t->c.cgroups.entries[i];
		struct cg_hierarchy *h = cg_model_find(&t->model, e);
		_cleanup_free_ char *own = NULL, *root = NULL;
		_cleanup_close_ int fd = -1;
		int r;

		if (!h || cg_path_split_container(e->path, t->c.name, &own, &root) < 0)
			continue;

		r = cg_hierarchy_open(h, root, &fd);
		if (r < 0)
			return cg_err_set(err, r, "cannot open cgroup '%s' of hierarchy %s", root,
					  cg_hierarchy_name(h));
		r = cg_actor_owns_cgroup(&t->actor, fd, root, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int chown_all(const struct cmd_target *t, uid_t uid, gid_t gid, struct cg_err *err)
{
	unsigned done = 0;

	for (size_t i = 0; i < t->c.cgroups.n; i++) {
		const struct cg_proc_entry *e = &t->c.cgroups.entries[i];
		struct cg_hierarchy *h = cg_model_find(&t->model, e);
		_cleanup_free_ char *own = NULL, *root = NULL;
		unsigned changed = 0;
		int r;

		if (!h || !h->mountpoint ||
		    cg_path_split_container(e->path, t->c.name, &own, &root) < 0)
			continue;

		r = cg_chown_tree(h, root, uid, gid, &changed, err);
		if (r < 0)
			return r;
		done++;
	}

	if (done == 0)
		return cg_container_no_cgroups(&t->c, err);
	return 0;
}

static int chown_container(struct cmd_target *t, const char *user)
{
	struct cg_err err = { 0 };
	uid_t uid = 0;
	gid_t gid = 0;
	int r;

	r = new_owner(t, user, &uid, &gid, &err);
	if (r == 0 && t->actor.sudo && uid != t->actor.uid)
		r = cg_err_plain(&err, -EPERM,
				 "through sudo the tree can only go to uid %u who ran it",
				 (unsigned)t->actor.uid);
	if (r == 0)
		r = check_roots(t, &err);
	if (r == 0)
		r = chown_all(t, uid, gid, &err);

	return r < 0 ? cmd_fail(&err, CG_EXIT_FAILURE) : CG_EXIT_OK;
}

int cmd_chown(int argc, char **argv)
{
	static const struct option options[] = {
		{ "lxcpath", required_argument, NULL, 'P' },
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *lxcpath = NULL, *user = NULL;
	struct cmd_target t;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":P:u:h", options, NULL)) != -1) {
		switch (c) {
		case 'P':
			lxcpath = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'h':
			chown_usage();
			return cmd_close_stdout(CG_EXIT_OK);
		default:
			return cmd_bad_option(argv, c);
		}
	}

	if (optind + 1 != argc)
		return cmd_usage_error("'chown' takes one container NAME");
	if (geteuid() != 0) {
		fprintf(stderr,
			"%s: only root can chown a cgroup tree; run it as root or through sudo\n",
			cg_program);
		return CG_EXIT_FAILURE;
	}

	rc = cmd_target_open(&t, lxcpath, argv[optind], 0);
	if (rc == CG_EXIT_OK)
		rc = chown_container(&t, user);

	cmd_target_close(&t);
	return cmd_close_stdout(rc);
}
