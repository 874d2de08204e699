// SPDX-License-Identifier: LGPL-2.1-or-later
#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "commands.h"
#include "lib/exit-codes.h"

int cmd_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cg_program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; try '%s --help'\n", cg_program);
	return CG_EXIT_USAGE;
}

int cmd_bad_option(char **argv, int c)
{
	const char *cmd = strchr(argv[0], '/') ? cg_program : argv[0];
	const char *typed = optind > 0 ? argv[optind - 1] : "";
	char opt[3] = { '-', (char)optopt, '\0' };

	/* A short option is named by optopt: the word typed may be a cluster
	 * such as "-jx".  A long one is the word typed. */
	if (optopt && strncmp(typed, "--", 2) != 0)
		typed = opt;
	if (c == ':')
		return cmd_usage_error("option '%s' of '%s' needs an argument", typed, cmd);
	return cmd_usage_error("unknown option '%s' for '%s'", typed, cmd);
}

int cmd_fail(const struct cg_err *err, int exit_code)
{
	char line[sizeof(err->what) + sizeof(err->hint) + 256];

	cg_err_format(err, line, sizeof(line));
	fprintf(stderr, "%s: %s\n", cg_program, line);
	return exit_code;
}

int cmd_lookup_exit(int r)
{
	if (r == -ENOENT || r == -ESRCH)
		return CG_EXIT_NO_CONTAINER;
	if (r == -EINVAL)
		return CG_EXIT_USAGE;
	return CG_EXIT_FAILURE;
}

static int target_find(struct cmd_target *t, const char *lxcpath, const char *name, pid_t pid,
		       struct cg_err *err)
{
	struct cg_actor_saved saved;
	int r, k;

	r = cg_actor_enter(&t->actor, &saved, err);
	if (r < 0)
		return r;

	r = name ? cg_container_by_name(lxcpath, name, &t->c, err)
		 : cg_container_by_pid(pid, &t->c, err);

	k = cg_actor_leave(&saved, r < 0 ? NULL : err);
	if (r == 0 && k < 0) {
		cg_container_free(&t->c);
		r = k;
	}
	return r;
}

int cmd_target_open(struct cmd_target *t, const char *lxcpath, const char *name, pid_t pid)
{
	struct cg_err err = { 0 };
	int r;

	*t = (struct cmd_target){ .c.init = CG_PID_NULL, .c.monitor = CG_PID_NULL };

	r = cg_actor_get(&t->actor, &err);
	if (r < 0)
		return cmd_fail(&err, CG_EXIT_FAILURE);

	r = cg_model_load(&t->model, &err);
	if (r < 0)
		return cmd_fail(&err, CG_EXIT_FAILURE);

	r = target_find(t, lxcpath, name, pid, &err);
	if (r == -EINVAL && name)
		return cmd_usage_error("invalid container name '%s'", name);
	if (r < 0) {
		if (r == -ESRCH && name)
			cg_err_hint(&err, "start it with 'lxc-start -n %s'", name);
		return cmd_fail(&err, cmd_lookup_exit(r));
	}

	r = cg_actor_may_use(&t->actor, &t->c, &err);
	if (r < 0)
		return cmd_fail(&err, CG_EXIT_FAILURE);
	return CG_EXIT_OK;
}

void cmd_target_close(struct cmd_target *t)
{
	cg_container_free(&t->c);
	cg_model_free(&t->model);
	cg_actor_free(&t->actor);
}

int cmd_close_stdout(int exit_code)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "%s: write error: %s\n", cg_program, strerror(errno));
		return exit_code == CG_EXIT_OK ? CG_EXIT_FAILURE : exit_code;
	}
	return exit_code;
}
