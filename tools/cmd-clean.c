// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * clean: remove the cgroups that stopped containers left behind, in every
 * hierarchy.  What counts as a leftover, where it is looked for and when
 * it may go is decided in lib/clean.h; this file prints.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <string.h>

#include "commands.h"
#include "lib/clean.h"
#include "lib/exit-codes.h"
#include "lib/record.h"

struct clean_args {
	const char *lxcpath;
	char **names;
	bool all;
	bool dry_run;
	bool kill;
	bool json;
};

static void clean_usage(void)
{
	fputs("Usage:\n"
	      " cg-adopt clean [-P LXCPATH] NAME... [--dry-run] [--json]\n"
	      " cg-adopt clean [-P LXCPATH] --all-stopped [--dry-run] [--json]\n"
	      "\n"
	      "Remove the cgroups that stopped containers left behind in every\n"
	      "hierarchy (lxc.payload.NAME, lxc.monitor.NAME, their -N twins, lxc.pivot,\n"
	      "the legacy lxc/NAME and lxc.payload/NAME), deepest first.  It looks below\n"
	      "the caller's own cgroup, for a user from the top of the tree the user owns,\n"
	      "and takes only the caller's (through sudo: SUDO_UID's).  A container that\n"
	      "runs or starts, or whose cgroups hold a process anywhere, is left alone.\n"
	      "\n"
	      "Options:\n"
	      " -P, --lxcpath PATH  whose container locks to take (default: liblxc's)\n"
	      " -a, --all-stopped   every container that is not running\n"
	      " -n, --dry-run       only report what would be removed\n"
	      " -k, --kill          kill what is left in a stopped container's cgroups\n"
	      "                     (cgroup.kill on cgroup2); not through sudo\n"
	      " -j, --json          one JSON object instead of text\n"
	      " -h, --help          this text\n"
	      "\n"
	      "Exit status: 0 done (also when there was nothing to do), 1 an error or a\n"
	      "NAME whose cgroups could not go, 2 usage error.\n",
	      stdout);
}

static const char *reason(const struct cg_leftover *x)
{
	switch (x->state) {
	case CG_LEFT_RUNNING:
		return "its container is running";
	case CG_LEFT_BUSY:
		return x->name ? "a cgroup of its container holds processes"
			       : "it is in use or a monitor may still move there";
	case CG_LEFT_LOCKED:
		return "another lxc command holds the container's lock";
	case CG_LEFT_FAILED:
		return strerror(-x->error);
	default:
		return NULL;
	}
}

static const char *verb(const struct cg_leftover *x, bool dry_run)
{
	if (x->state == CG_LEFT_STALE)
		return dry_run ? "would remove" : "left";
	if (x->state == CG_LEFT_REMOVED || x->state == CG_LEFT_GONE)
		return "removed";
	return "kept";
}

static void fs_path(const struct cg_leftover *x, char *buf, size_t size)
{
	if (cg_hierarchy_fs_path(x->h, x->path, buf, size) < 0)
		cg_snprintf(buf, size, "%s", x->path);
}

static void print_text(const struct cg_leftovers *l, bool dry_run)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct cg_leftover *x = &l->v[i];
		const char *why = reason(x);
		char path[PATH_MAX];

		fs_path(x, path, sizeof(path));
		printf("%-12s %s%s%s%s\n", verb(x, dry_run), path,
		       x->state == CG_LEFT_GONE ? " (by someone else)" : "", why ? ": " : "",
		       why ? why : "");
	}
}

static json_object *leftover_json(const struct cg_leftover *x, bool dry_run)
{
	json_object *o = json_object_new_object();
	const char *why = reason(x);
	char path[PATH_MAX];

	if (!o)
		return NULL;
	fs_path(x, path, sizeof(path));
	json_object_object_add(o, "hierarchy", json_object_new_string(cg_hierarchy_name(x->h)));
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "cgroup", json_object_new_string(x->path));
	json_object_object_add(o, "container", x->name ? json_object_new_string(x->name) : NULL);
	json_object_object_add(o, "kind", json_object_new_string(cg_left_kind_str(x->kind)));
	json_object_object_add(o, "state",
			       json_object_new_string(x->state == CG_LEFT_STALE && dry_run
							      ? "would-remove"
							      : cg_left_state_str(x->state)));
	json_object_object_add(o, "reason", why ? json_object_new_string(why) : NULL);
	return o;
}

static int print_json(const struct cg_leftovers *l, bool dry_run)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	const char *s;

	if (!o || !a) {
		json_object_put(o);
		json_object_put(a);
		return -ENOMEM;
	}

	for (size_t i = 0; i < l->n; i++)
		json_object_array_add(a, leftover_json(&l->v[i], dry_run));
	json_object_object_add(o, "dry_run", json_object_new_boolean(dry_run));
	json_object_object_add(o, "cgroups", a);

	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
	if (s)
		puts(s);
	json_object_put(o);
	return s ? 0 : -ENOMEM;
}

/* One message per named container that could not be cleaned, one per
 * failed cgroup: the exit code. */
/* What to do about a named container's cgroup that could not go. */
static const char *hint(const struct cg_leftover *x)
{
	switch (x->state) {
	case CG_LEFT_RUNNING:
		return "stop the container with lxc-stop first";
	case CG_LEFT_BUSY:
		return "what is left in it outlived the container: 'cg-adopt clean --kill' kills it first";
	default:
		return "another lxc command holds the container: try again once it is done";
	}
}

static int report_failures(const struct cg_leftovers *l, const struct clean_args *a)
{
	int rc = CG_EXIT_OK;

	for (size_t i = 0; i < l->n; i++) {
		const struct cg_leftover *x = &l->v[i];
		char path[PATH_MAX];

		fs_path(x, path, sizeof(path));
		if (x->state == CG_LEFT_FAILED) {
			fprintf(stderr, "%s: cannot remove '%s': %s; %s\n", cg_program, path,
				strerror(-x->error),
				x->error == -EACCES || x->error == -EPERM
					? "it is not yours to remove: run it as root or through sudo"
					: "run 'cg-adopt clean' again");
			rc = CG_EXIT_FAILURE;
		} else if (!a->all && x->name && x->state != CG_LEFT_REMOVED &&
			   x->state != CG_LEFT_GONE && x->state != CG_LEFT_STALE) {
			fprintf(stderr, "%s: cannot clean '%s': %s; %s\n", cg_program, path,
				reason(x), hint(x));
			rc = CG_EXIT_FAILURE;
		}
	}
	return rc;
}

static int clean(const struct clean_args *a)
{
	_cleanup_free_ char *default_lxcpath = NULL;
	struct cg_leftovers l = { 0 };
	struct cg_clean_opts o = {
		.names = a->all ? NULL : a->names,
		.dry_run = a->dry_run,
		.kill = a->kill,
	};
	struct cg_actor actor = { 0 };
	struct cg_model m = { 0 };
	struct cg_err err = { 0 };
	int r, rc = CG_EXIT_FAILURE;

	r = cg_actor_get(&actor, &err);
	/* cgroup.kill would kill whatever sits in a cgroup, root's processes
	 * too: through sudo only the kernel's own checks, as the user, apply. */
	if (r == 0 && a->kill && actor.sudo)
		r = cg_err_plain(
			&err, -EPERM,
			"--kill is not for sudo: run 'cg-adopt clean --kill' as the user, or as root itself");
	if (r == 0)
		r = cg_model_load(&m, &err);
	if (r < 0)
		goto out;

	/* Without liblxc there is no lxcpath and no lock to take: the checks
	 * of /proc and the cgroups still hold. */
	if (!a->lxcpath && cg_actor_default_lxcpath(&actor, &default_lxcpath) < 0)
		default_lxcpath = NULL;
	o.actor = &actor;
	o.lxcpath = a->lxcpath ? a->lxcpath : default_lxcpath;

	r = cg_clean_scan(&m, &o, &l, &err);
	if (r == 0)
		r = cg_clean_run(&l, &o, &err);
	if (r < 0)
		goto out;

	/* Records of containers that are gone: only a hint each, but they
	 * should not pile up. */
	if (!a->dry_run) {
		unsigned pruned;

		cg_record_prune(&pruned);
	}

	if (a->json)
		r = print_json(&l, a->dry_run);
	else
		print_text(&l, a->dry_run);
	rc = r < 0 ? CG_EXIT_FAILURE : report_failures(&l, a);
out:
	if (r < 0 && err.what[0])
		rc = cmd_fail(&err, CG_EXIT_FAILURE);
	cg_leftovers_free(&l);
	cg_model_free(&m);
	cg_actor_free(&actor);
	return rc;
}

int cmd_clean(int argc, char **argv)
{
	static const struct option options[] = {
		{ "lxcpath", required_argument, NULL, 'P' },
		{ "all-stopped", no_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "kill", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct clean_args a = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, ":P:ankjh", options, NULL)) != -1) {
		switch (c) {
		case 'P':
			a.lxcpath = optarg;
			break;
		case 'a':
			a.all = true;
			break;
		case 'k':
			a.kill = true;
			break;
		case 'n':
			a.dry_run = true;
			break;
		case 'j':
			a.json = true;
			break;
		case 'h':
			clean_usage();
			return cmd_close_stdout(CG_EXIT_OK);
		default:
			return cmd_bad_option(argv, c);
		}
	}

	if (a.all == (optind < argc))
		return cmd_usage_error("'clean' takes container NAMEs or --all-stopped");
	for (int i = optind; i < argc; i++)
		if (!cg_container_name_valid(argv[i]))
			return cmd_usage_error("invalid container name '%s'", argv[i]);
	a.names = argv + optind;

	return cmd_close_stdout(clean(&a));
}
