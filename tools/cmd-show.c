// SPDX-License-Identifier: LGPL-2.1-or-later
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "lib/exit-codes.h"
#include "lib/report.h"

/* What a row owns; the row itself only points into it. */
struct row_data {
	char *own;
	char *root;
	char rule[PATH_MAX + 256];
};

static void show_usage(void)
{
	fputs("Usage:\n"
	      " cg-adopt show [-P LXCPATH] NAME [--json]\n"
	      " cg-adopt show --pid PID [--json]\n"
	      "\n"
	      "Show the cgroups of a running container in every hierarchy: its own\n"
	      "cgroup, its root, the caller's cgroup, the owner, and whether the caller\n"
	      "may enter it under the kernel's rules.\n"
	      "\n"
	      "Options:\n"
	      " -P, --lxcpath PATH  the container's lxcpath (default: liblxc's)\n"
	      " -p, --pid PID       the container that process PID is in\n"
	      " -j, --json          one JSON object instead of text\n"
	      " -h, --help          this text\n",
	      stdout);
}

/* Whether the caller could move itself into @root, and which rule says so. */
static bool caller_can_enter(const struct cmd_target *t, const struct cg_hierarchy *h,
			     const char *root, int fd, char *rule, size_t size)
{
	struct cg_err err = { 0 };
	int r;

	if (t->actor.sudo) {
		r = cg_actor_owns_cgroup(&t->actor, fd, root, &err);
		cg_snprintf(rule, size, "%s",
			    r == 0 ? "through sudo, and the root belongs to the user who ran it"
				   : err.what);
		return r == 0;
	}

	r = cg_may_enter(h, h->self_path, root, geteuid(), getuid(), getuid(), rule, size);
	if (r == 0)
		cg_snprintf(
			rule, size, "%s",
			h->version == 2
				? "cgroup.procs of the root and of the common ancestor are writable"
				: "cgroup.procs of the root is writable, and the process is the caller's own");
	else if (r != -EACCES)
		cg_snprintf(rule, size, "cannot check: %s", strerror(-r));
	return r == 0;
}

static void row_fill(const struct cmd_target *t, const struct cg_proc_entry *e,
		     struct cg_report_row *row, struct row_data *d)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	row->h = cg_model_find(&t->model, e);
	row->init_cgroup = e->path;
	row->owner_uid = -1;

	if (cg_path_split_container(e->path, t->c.name, &d->own, &d->root) < 0) {
		cg_snprintf(d->rule, sizeof(d->rule),
			    "the container has no cgroup of its own here");
		row->rule = d->rule;
		return;
	}

	row->cgroup = d->own;
	row->root = d->root;
	if (!row->h || cg_hierarchy_open(row->h, d->root, &fd) < 0) {
		cg_snprintf(d->rule, sizeof(d->rule), "the root is not reachable from here");
		row->rule = d->rule;
		return;
	}

	if (fstat(fd, &st) == 0)
		row->owner_uid = (long)st.st_uid;
	row->can_enter = caller_can_enter(t, row->h, d->root, fd, d->rule, sizeof(d->rule));
	row->rule = d->rule;
}

static int show(struct cmd_target *t, bool json)
{
	_cleanup_free_ struct cg_report_row *rows = NULL;
	_cleanup_free_ struct row_data *data = NULL;
	size_t n = 0;
	int r;

	rows = calloc(t->c.cgroups.n + 1, sizeof(*rows));
	data = calloc(t->c.cgroups.n + 1, sizeof(*data));
	if (!rows || !data) {
		fprintf(stderr, "%s: cannot show container '%s': %s\n", cg_program, t->c.name,
			strerror(ENOMEM));
		return CG_EXIT_FAILURE;
	}

	for (size_t i = 0; i < t->c.cgroups.n; i++) {
		row_fill(t, &t->c.cgroups.entries[i], &rows[n], &data[n]);
		/* A hierarchy the caller is not in cannot be reported. */
		if (rows[n].h)
			n++;
	}

	r = cg_report_show(stdout, &t->c, rows, n, json);

	for (size_t i = 0; i <= t->c.cgroups.n; i++) {
		free(data[i].own);
		free(data[i].root);
	}
	if (r < 0) {
		fprintf(stderr, "%s: cannot show container '%s': %s\n", cg_program, t->c.name,
			strerror(-r));
		return CG_EXIT_FAILURE;
	}
	return CG_EXIT_OK;
}

int cmd_show(int argc, char **argv)
{
	static const struct option options[] = {
		{ "lxcpath", required_argument, NULL, 'P' },
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *lxcpath = NULL, *name = NULL;
	struct cmd_target t;
	bool json = false;
	pid_t pid = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":P:p:jh", options, NULL)) != -1) {
		switch (c) {
		case 'P':
			lxcpath = optarg;
			break;
		case 'p':
			if (cg_parse_pid(optarg, &pid) < 0)
				return cmd_usage_error("invalid pid '%s'", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			show_usage();
			return cmd_close_stdout(CG_EXIT_OK);
		default:
			return cmd_bad_option(argv, c);
		}
	}

	if (optind < argc)
		name = argv[optind++];
	if (optind < argc)
		return cmd_usage_error("unexpected argument '%s'", argv[optind]);
	if (!name == !pid)
		return cmd_usage_error("'show' takes a container NAME or --pid PID");
	if (pid && lxcpath)
		return cmd_usage_error("--lxcpath goes with a container NAME, not with --pid");

	rc = cmd_target_open(&t, lxcpath, name, pid);
	if (rc == CG_EXIT_OK)
		rc = show(&t, json);

	cmd_target_close(&t);
	return cmd_close_stdout(rc);
}
