/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The commands of cg-adopt and what they share: each takes the arguments
 * that follow its name and returns an exit code of exit-codes.h.  Only
 * this layer prints.
 */
#ifndef CG_COMMANDS_H
#define CG_COMMANDS_H

#include <stdbool.h>

#include "lib/container.h"
#include "lib/hierarchy.h"
#include "lib/owner.h"
#include "lib/util.h"

int cmd_show(int argc, char **argv);
int cmd_move(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_chown(int argc, char **argv);
int cmd_delegate(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

/* Print "cg-adopt: MESSAGE" and the hint "try 'cg-adopt --help'";
 * returns CG_EXIT_USAGE. */
int cmd_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The usage error for the option getopt_long() just refused with @c ('?'
 * unknown, ':' missing its argument; optstrings begin with ':'), named as
 * the user typed it: CG_EXIT_USAGE. */
int cmd_bad_option(char **argv, int c);

/* Print the one line for @err; returns @exit_code. */
int cmd_fail(const struct cg_err *err, int exit_code);

/* The exit code for a failed container lookup: CG_EXIT_NO_CONTAINER for
 * a missing or stopped container, CG_EXIT_USAGE for a bad name. */
int cmd_lookup_exit(int r);

/* What every command that acts on one container needs. */
struct cmd_target {
	struct cg_actor actor;
	struct cg_model model;
	struct cg_container c;
};

/* Who acts, the hierarchies, and the container @name of @lxcpath (or the
 * one that @pid is in, when @name is NULL).  Through sudo the lookup runs
 * with the actor's credentials and the container must be the actor's.
 * Returns CG_EXIT_OK or the exit code, with the message printed. */
int cmd_target_open(struct cmd_target *t, const char *lxcpath, const char *name, pid_t pid);

void cmd_target_close(struct cmd_target *t);

/* Check that nothing failed while writing stdout: the util-linux habit. */
int cmd_close_stdout(int exit_code);

#endif
