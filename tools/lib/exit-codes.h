/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The exit codes of cg-adopt and its hooks, as --help and cg-adopt(1) list them. */
#ifndef CG_EXIT_CODES_H
#define CG_EXIT_CODES_H

enum {
	CG_EXIT_OK = 0, /* done */
	CG_EXIT_FAILURE = 1, /* the operation failed; nothing was changed */
	CG_EXIT_USAGE = 2, /* bad options or arguments */
	CG_EXIT_NO_CONTAINER = 3, /* the container does not exist or is not running */
	CG_EXIT_EXEC_FAILED = 126, /* exec: placed, but COMMAND could not be run */
	CG_EXIT_EXEC_NOENT = 127, /* exec: placed, but COMMAND was not found */
};

#endif
