// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * doctor: why lxc-stop, lxc-attach, lxc-freeze or lxc-cgroup fail from
 * this session, and the command that fixes each cause (lib/doctor.h).
 */
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <string.h>

#include "commands.h"
#include "lib/clean.h"
#include "lib/doctor.h"
#include "lib/exit-codes.h"

struct doctor_ctx {
	struct cg_actor actor;
	struct cg_model model;
	struct cg_doctor_caller caller;
	char *default_lxcpath;
	bool json;
};

static void doctor_usage(void)
{
	fputs("Usage:\n"
	      " cg-adopt doctor [-P LXCPATH] NAME [--json]\n"
	      "\n"
	      "Check from this session everything that decides whether lxc-stop,\n"
	      "lxc-attach, lxc-freeze and lxc-cgroup work on running container NAME: the\n"
	      "monitor's uid and gid against the caller's, the lxcpath and HOME each side\n"
	      "uses, the network namespace, whether the container has cgroups, which of\n"
	      "its hierarchies the caller may enter, who owns them, and leftover cgroups.\n"
	      "Each failed check names the command that fixes it.  Run it as the user who\n"
	      "sees the failure, from the same session.\n"
	      "\n"
	      "Options:\n"
	      " -P, --lxcpath PATH  the lxcpath the lxc-* commands are given (default:\n"
	      "                     liblxc's for the caller)\n"
	      " -j, --json          one JSON object instead of text\n"
	      " -h, --help          this text\n"
	      "\n"
	      "Exit status: 0 everything would work, 1 something fails, 2 usage error,\n"
	      "3 the container is not running (its leftover cgroups are listed).\n",
	      stdout);
}

/* The caller's real ids, as the lxc-* tools of this session would send
 * them; through sudo those of the user who ran it. */
static void caller_ids(const struct cg_actor *a, uid_t *ret_uid, gid_t *ret_gid)
{
	const char *sudo_gid = getenv("SUDO_GID");
	unsigned long v;

	*ret_uid = a->sudo ? a->uid : getuid();
	*ret_gid = a->sudo ? a->gid : getgid();
	if (a->sudo && sudo_gid && cg_parse_uint(sudo_gid, &v) == 0 && v < (gid_t)-1)
		*ret_gid = (gid_t)v;
}

static int ctx_open(struct doctor_ctx *d, const char *lxcpath)
{
	struct cg_err err = { 0 };
	int r;

	r = cg_actor_get(&d->actor, &err);
	if (r == 0)
		r = cg_model_load(&d->model, &err);
	if (r < 0)
		return cmd_fail(&err, CG_EXIT_FAILURE);

	/* Unknown without liblxc: the lxcpath check then fails and says so. */
	if (!lxcpath && cg_actor_default_lxcpath(&d->actor, &d->default_lxcpath) < 0)
		d->default_lxcpath = NULL;

	d->caller = (struct cg_doctor_caller){
		.actor = &d->actor,
		.model = &d->model,
		.home = d->actor.sudo ? d->actor.home : getenv("HOME"),
		.lxcpath = lxcpath ? lxcpath : d->default_lxcpath,
		.lxcpath_given = lxcpath != NULL,
	};
	caller_ids(&d->actor, &d->caller.uid, &d->caller.gid);
	return CG_EXIT_OK;
}

static void ctx_close(struct doctor_ctx *d)
{
	free(d->default_lxcpath);
	cg_model_free(&d->model);
	cg_actor_free(&d->actor);
}

static void print_checks(const struct cg_doctor_target *t, const struct cg_checks *l)
{
	size_t failed = 0;

	printf("container '%s': lxcpath '%s', monitor pid %d (uid %u gid %u), init pid %d\n",
	       t->name, t->lxcpath, (int)t->monitor, (unsigned)t->uid, (unsigned)t->gid,
	       (int)t->init);
	for (size_t i = 0; i < l->n; i++) {
		const struct cg_check *x = &l->v[i];

		printf("%-4s  %s%s%s: %s\n", cg_check_level_str(x->level), x->id, x->h ? " " : "",
		       x->h ? cg_hierarchy_name(x->h) : "", x->what);
		if (x->level != CG_CHECK_OK && x->fix[0])
			printf("      fix: %s\n", x->fix);
		failed += x->level == CG_CHECK_FAIL;
	}
	if (failed)
		printf("%zu checks failed: lxc-* commands from this session will fail as said above\n",
		       failed);
	else
		printf("everything checked works from this session\n");
}

static json_object *check_json(const struct cg_check *x)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "check", json_object_new_string(x->id));
	json_object_object_add(o, "hierarchy",
			       x->h ? json_object_new_string(cg_hierarchy_name(x->h)) : NULL);
	json_object_object_add(o, "level", json_object_new_string(cg_check_level_str(x->level)));
	json_object_object_add(o, "message", json_object_new_string(x->what));
	json_object_object_add(o, "fix", x->fix[0] ? json_object_new_string(x->fix) : NULL);
	return o;
}

static int print_json(json_object *o)
{
	const char *s = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY) : NULL;

	if (s)
		puts(s);
	json_object_put(o);
	return s ? 0 : -ENOMEM;
}

static int print_checks_json(const struct cg_doctor_target *t, const struct cg_checks *l)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();

	if (!o || !a) {
		json_object_put(a);
		return print_json(o);
	}
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "running", json_object_new_boolean(1));
	json_object_object_add(o, "lxcpath", json_object_new_string(t->lxcpath));
	json_object_object_add(o, "monitor_pid", json_object_new_int(t->monitor));
	json_object_object_add(o, "init_pid", json_object_new_int(t->init));
	json_object_object_add(o, "owner_uid", json_object_new_int64(t->uid));
	json_object_object_add(o, "owner_gid", json_object_new_int64(t->gid));
	json_object_object_add(o, "ok", json_object_new_boolean(!cg_checks_failed(l)));
	for (size_t i = 0; i < l->n; i++)
		json_object_array_add(a, check_json(&l->v[i]));
	json_object_object_add(o, "checks", a);
	return print_json(o);
}

static void leftover_path(const struct cg_leftover *x, char *buf, size_t size)
{
	if (cg_hierarchy_fs_path(x->h, x->path, buf, size) < 0)
		cg_snprintf(buf, size, "%s", x->path);
}

/* Not running: say so, and list what 'clean NAME' would remove. */
static int stopped(struct doctor_ctx *d, const char *name)
{
	char *const names[] = { (char *)name, NULL };
	struct cg_clean_opts o = { .actor = &d->actor, .names = names, .dry_run = true };
	json_object *j = d->json ? json_object_new_object() : NULL;
	json_object *a = d->json ? json_object_new_array() : NULL;
	struct cg_leftovers l = { 0 };
	struct cg_err err = { 0 };
	size_t n = 0;

	if (cg_clean_scan(&d->model, &o, &l, &err) < 0 || cg_clean_run(&l, &o, &err) < 0) {
		json_object_put(j);
		json_object_put(a);
		cg_leftovers_free(&l);
		return cmd_fail(&err, CG_EXIT_FAILURE);
	}

	if (!d->json)
		printf("container '%s' is not running: no monitor of that name in /proc\n", name);
	for (size_t i = 0; i < l.n; i++) {
		char path[PATH_MAX];

		if (!l.v[i].name || l.v[i].state != CG_LEFT_STALE)
			continue;
		leftover_path(&l.v[i], path, sizeof(path));
		n++;
		if (a)
			json_object_array_add(a, json_object_new_string(path));
		else
			printf("leftover  %s\n", path);
	}
	if (!d->json && n)
		printf("fix: cg-adopt clean %s\n", name);

	if (j) {
		json_object_object_add(j, "name", json_object_new_string(name));
		json_object_object_add(j, "running", json_object_new_boolean(0));
		json_object_object_add(j, "leftovers", a);
		print_json(j);
	}
	cg_leftovers_free(&l);
	return CG_EXIT_NO_CONTAINER;
}

static int doctor(struct doctor_ctx *d, const char *name)
{
	struct cg_doctor_target t = { 0 };
	struct cg_checks l = { 0 };
	struct cg_err err = { 0 };
	int r, rc;

	r = cg_doctor_find(&d->caller, name, &t, &err);
	if (r == -ESRCH)
		return stopped(d, name);
	if (r < 0)
		return cmd_fail(&err, r == -EEXIST ? CG_EXIT_USAGE : CG_EXIT_FAILURE);

	r = cg_doctor_run(&d->caller, &t, &l, &err);
	if (r < 0) {
		cg_doctor_target_free(&t);
		return cmd_fail(&err, CG_EXIT_FAILURE);
	}

	if (d->json)
		r = print_checks_json(&t, &l);
	else
		print_checks(&t, &l);
	rc = r < 0 || cg_checks_failed(&l) ? CG_EXIT_FAILURE : CG_EXIT_OK;

	cg_checks_free(&l);
	cg_doctor_target_free(&t);
	return rc;
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option options[] = {
		{ "lxcpath", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct doctor_ctx d = { 0 };
	const char *lxcpath = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":P:jh", options, NULL)) != -1) {
		switch (c) {
		case 'P':
			lxcpath = optarg;
			break;
		case 'j':
			d.json = true;
			break;
		case 'h':
			doctor_usage();
			return cmd_close_stdout(CG_EXIT_OK);
		default:
			return cmd_bad_option(argv, c);
		}
	}

	if (optind + 1 != argc)
		return cmd_usage_error("'doctor' takes one container NAME");
	if (!cg_container_name_valid(argv[optind]))
		return cmd_usage_error("invalid container name '%s'", argv[optind]);

	rc = ctx_open(&d, lxcpath);
	if (rc == CG_EXIT_OK)
		rc = doctor(&d, argv[optind]);
	ctx_close(&d);
	return cmd_close_stdout(rc);
}
