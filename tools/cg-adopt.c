// SPDX-License-Identifier: LGPL-2.1-or-later
/* cg-adopt: options and dispatch, nothing else. */
#include <getopt.h>
#include <string.h>

#include "commands.h"
#include "lib/exit-codes.h"

#ifndef CG_VERSION
#define CG_VERSION "0.1"
#endif

/* clang-format off: one command a line reads better than a packed table. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "show", cmd_show },     { "move", cmd_move },         { "exec", cmd_exec },
	{ "chown", cmd_chown },   { "delegate", cmd_delegate }, { "clean", cmd_clean },
	{ "doctor", cmd_doctor },
};
/* clang-format on */

static void usage(void)
{
	fputs("Usage:\n"
	      " cg-adopt show [-P LXCPATH] NAME [--json]\n"
	      " cg-adopt show --pid PID [--json]\n"
	      " cg-adopt move [-P LXCPATH] NAME [--payload] [PID...]\n"
	      " cg-adopt exec [-P LXCPATH] NAME [--payload] -- COMMAND [ARG...]\n"
	      " cg-adopt chown [-P LXCPATH] NAME [--user USER]\n"
	      " cg-adopt delegate --user USER [--cgroup PATH] [--controllers LIST]\n"
	      "                   [--leaf NAME] [PID...]\n"
	      " cg-adopt clean [-P LXCPATH] NAME...|--all-stopped [--kill] [--dry-run] [--json]\n"
	      " cg-adopt doctor [-P LXCPATH] NAME [--json]\n"
	      "\n"
	      "Find a running LXC container's cgroups in every hierarchy and move\n"
	      "processes into them, run a command there, or hand the tree to its owner;\n"
	      "give a user a delegated cgroup, clean up after stopped containers, and\n"
	      "explain why an lxc-* command fails from here.\n"
	      "Run through sudo, cg-adopt acts only for the user who ran sudo.\n"
	      "\n"
	      "Options:\n"
	      " -h, --help     this text ('cg-adopt COMMAND --help' for a command)\n"
	      " -V, --version  the version\n"
	      "\n"
	      "Exit status:\n"
	      "   0  done\n"
	      "   1  the operation failed; nothing was changed (doctor: a check failed)\n"
	      "   2  usage error\n"
	      "   3  the container does not exist or is not running\n"
	      " 126  exec: COMMAND could not be run\n"
	      " 127  exec: COMMAND was not found\n"
	      "\n"
	      "See cg-adopt(1).\n",
	      stdout);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	int c;

	/* Every message is ours, in one line: getopt's own would be a second. */
	opterr = 0;

	/* '+': stop at the command name, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+:hV", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage();
			return cmd_close_stdout(CG_EXIT_OK);
		case 'V':
			printf("cg-adopt %s\n", CG_VERSION);
			return cmd_close_stdout(CG_EXIT_OK);
		default:
			return cmd_bad_option(argv, c);
		}
	}

	if (optind >= argc)
		return cmd_usage_error("no command given");

	for (size_t i = 0; i < CG_ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		/* Each command parses its own arguments from its name on. */
		argc -= optind;
		argv += optind;
		optind = 0;
		return commands[i].run(argc, argv);
	}

	return cmd_usage_error("unknown command '%s'", argv[optind]);
}
