// SPDX-License-Identifier: LGPL-2.1-or-later
/* move and exec: into the container's root, or its own cgroup with --payload. */
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "commands.h"
#include "lib/exit-codes.h"
#include "lib/place.h"

/* Ancestors climbed past sudo to the user's shell. */
#define MAX_SUDO_DEPTH 4

struct move_opts {
	const char *lxcpath;
	bool payload;
};

static void move_usage(void)
{
	fputs("Usage:\n"
	      " cg-adopt move [-P LXCPATH] NAME [--payload] [PID...]\n"
	      "\n"
	      "Move the PIDs, or the process that called cg-adopt, into the root of\n"
	      "container NAME (the cgroup that holds its cgroups) in every hierarchy\n"
	      "where it has a cgroup of its own, all or nothing.\n"
	      "\n"
	      "Options:\n"
	      " -P, --lxcpath PATH  the container's lxcpath (default: liblxc's)\n"
	      "     --payload       into the container's own cgroup instead\n"
	      " -h, --help          this text\n",
	      stdout);
}

static void exec_usage(void)
{
	fputs("Usage:\n"
	      " cg-adopt exec [-P LXCPATH] NAME [--payload] -- COMMAND [ARG...]\n"
	      "\n"
	      "Run COMMAND in the root of container NAME in every hierarchy where it has\n"
	      "a cgroup of its own; through sudo, COMMAND runs as the user who ran sudo.\n"
	      "\n"
	      "Options:\n"
	      " -P, --lxcpath PATH  the container's lxcpath (default: liblxc's)\n"
	      "     --payload       in the container's own cgroup instead\n"
	      " -h, --help          this text\n",
	      stdout);
}

/* Parse the options both commands share; returns -1 to go on, or an exit code. */
static int parse(int argc, char **argv, struct move_opts *o, void (*usage)(void))
{
	static const struct option options[] = {
		{ "lxcpath", required_argument, NULL, 'P' },
		{ "payload", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, ":P:h", options, NULL)) != -1) {
		switch (c) {
		case 'P':
			o->lxcpath = optarg;
			break;
		case 'L':
			o->payload = true;
			break;
		case 'h':
			usage();
			return cmd_close_stdout(CG_EXIT_OK);
		default:
			return cmd_bad_option(argv, c);
		}
	}
	return -1;
}

/* The process that called cg-adopt: through sudo, the one that ran sudo. */
static int caller_pid(const struct cg_actor *a, pid_t *ret)
{
	pid_t pid = getppid();

	for (int i = 0; a->sudo && i < MAX_SUDO_DEPTH; i++) {
		_cleanup_free_ char *cmdline = NULL;
		pid_t ppid;
		uid_t euid;
		int r;

		r = cg_pid_peek(pid, &cmdline, &ppid, &euid);
		if (r < 0)
			return r;

		/* sudo runs with the user's real uid and root's effective one. */
		if (euid != 0 || strncmp(cmdline, "sudo", 4) != 0)
			break;
		pid = ppid;
	}

	*ret = pid;
	return 0;
}

/* Hold the processes to move: the @n pids of @args (already checked), or
 * the caller.  0 or -errno with @err filled. */
static int hold_pids(const struct cg_actor *a, char **args, size_t n, struct cg_pid *ret,
		     struct cg_err *err)
{
	for (size_t i = 0; i < (n ? n : 1); i++) {
		pid_t pid = 0;
		int r;

		r = n ? cg_parse_pid(args[i], &pid) : caller_pid(a, &pid);
		if (r < 0)
			return cg_err_set(err, r, "cannot find the process that called %s",
					  cg_program);

		r = cg_pid_open(pid, &ret[i]);
		if (r == -ESRCH)
			return cg_err_plain(err, r, "no process with pid %d", (int)pid);
		if (r < 0)
			return cg_err_set(err, r, "cannot hold pid %d", (int)pid);

		r = cg_actor_may_move(a, &ret[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int place(struct cmd_target *t, bool payload, const struct cg_pid *p, size_t n)
{
	struct cg_targets targets = { 0 };
	struct cg_err err = { 0 };
	int r;

	r = cg_targets_get(&t->model, &t->c, payload, &t->actor, &targets, &err);
	if (r == 0)
		r = cg_place_move(&targets, p, n, &err);

	cg_targets_free(&targets);
	return r < 0 ? cmd_fail(&err, CG_EXIT_FAILURE) : CG_EXIT_OK;
}

int cmd_move(int argc, char **argv)
{
	_cleanup_free_ struct cg_pid *pids = NULL;
	struct move_opts o = { 0 };
	struct cg_err err = { 0 };
	struct cmd_target t;
	size_t n;
	int rc;

	rc = parse(argc, argv, &o, move_usage);
	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return cmd_usage_error("'move' needs a container NAME");

	n = (size_t)(argc - optind - 1);
	pids = calloc(n + 1, sizeof(*pids));
	if (!pids)
		return cg_err_set(&err, -ENOMEM, "cannot hold %zu pids", n),
		       cmd_fail(&err, CG_EXIT_FAILURE);
	for (size_t i = 0; i <= n; i++)
		pids[i] = CG_PID_NULL;

	for (int i = optind + 1; i < argc; i++) {
		pid_t pid;

		if (cg_parse_pid(argv[i], &pid) < 0)
			return cmd_usage_error("invalid pid '%s'", argv[i]);
	}

	rc = cmd_target_open(&t, o.lxcpath, argv[optind], 0);
	if (rc == CG_EXIT_OK && hold_pids(&t.actor, argv + optind + 1, n, pids, &err) < 0)
		rc = cmd_fail(&err, CG_EXIT_FAILURE);
	if (rc == CG_EXIT_OK)
		rc = place(&t, o.payload, pids, n ? n : 1);

	for (size_t i = 0; i <= n; i++)
		cg_pid_close(&pids[i]);
	cmd_target_close(&t);
	return cmd_close_stdout(rc);
}

static int hold_self(struct cg_pid *self, struct cg_err *err)
{
	int r = cg_pid_open(getpid(), self);

	return r < 0 ? cg_err_set(err, r, "cannot hold this process") : 0;
}

/* Become the actor and run @command: returns only on failure. */
static int run(const struct cg_actor *a, char **command)
{
	struct cg_err err = { 0 };
	int r;

	if (cg_actor_become(a, &err) < 0)
		return cmd_fail(&err, CG_EXIT_FAILURE);

	fflush(stdout);
	execvp(command[0], command);
	r = errno;
	fprintf(stderr, "%s: cannot run '%s': %s\n", cg_program, command[0], strerror(r));
	return r == ENOENT ? CG_EXIT_EXEC_NOENT : CG_EXIT_EXEC_FAILED;
}

static volatile pid_t forward_to;

static void forward(int sig)
{
	if (forward_to > 0)
		kill(forward_to, sig);
}

/* Wait for @child and exit as it did.  SIGINT and SIGQUIT from a terminal
 * reach the child directly (same process group); SIGTERM and SIGHUP sent
 * to this process are passed on. */
static int wait_child(pid_t child)
{
	struct sigaction sa = { .sa_handler = forward };
	int status;

	forward_to = child;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);

	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return CG_EXIT_FAILURE;

	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * Place a process for COMMAND.  Where the kernel has clone3() with
 * CLONE_INTO_CGROUP and there is a cgroup2 target, the child starts in it,
 * joins the v1 targets itself and runs COMMAND while this process waits;
 * otherwise this process moves itself, all or nothing, and becomes COMMAND.
 */
static int exec_in(struct cmd_target *t, struct cg_targets *targets, char **command)
{
	const struct cg_target *v2 = cg_targets_v2(targets);
	struct cg_targets v1 = { 0 };
	struct cg_pid self = CG_PID_NULL;
	struct cg_err err = { 0 };
	pid_t child = -1;
	int r;

	r = v2 ? cg_place_clone(v2, &child, &err) : -EOPNOTSUPP;
	if (r == 0 && child > 0)
		return wait_child(child);

	if (r == -EOPNOTSUPP) {
		/* No clone3() here: this process moves in every hierarchy. */
		v1 = *targets;
		r = 0;
	} else if (r == 0) {
		r = cg_targets_v1_view(targets, &v1);
	}
	if (r == 0)
		r = hold_self(&self, &err);
	if (r == 0)
		r = cg_place_move(&v1, &self, 1, &err);

	cg_pid_close(&self);
	if (v1.t != targets->t)
		free(v1.t);
	if (r < 0) {
		cmd_fail(&err, CG_EXIT_FAILURE);
		/* A child of clone3() exits; this process reports for it. */
		if (child == 0)
			_exit(CG_EXIT_FAILURE);
		return CG_EXIT_FAILURE;
	}

	r = run(&t->actor, command);
	if (child == 0)
		_exit(r);
	return r;
}

int cmd_exec(int argc, char **argv)
{
	struct move_opts o = { 0 };
	struct cg_targets targets = { 0 };
	struct cg_err err = { 0 };
	struct cmd_target t;
	char **command;
	int rc;

	rc = parse(argc, argv, &o, exec_usage);
	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return cmd_usage_error("'exec' needs a container NAME");
	if (optind + 1 >= argc)
		return cmd_usage_error("'exec' needs a COMMAND after the container NAME");
	command = argv + optind + 1;

	rc = cmd_target_open(&t, o.lxcpath, argv[optind], 0);
	if (rc == CG_EXIT_OK &&
	    cg_targets_get(&t.model, &t.c, o.payload, &t.actor, &targets, &err) < 0)
		rc = cmd_fail(&err, CG_EXIT_FAILURE);
	if (rc == CG_EXIT_OK)
		rc = exec_in(&t, &targets, command);

	cg_targets_free(&targets);
	cmd_target_close(&t);
	return rc;
}
