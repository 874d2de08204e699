// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The floor that cg-adopt is measured against: the least C that asks liblxc
 * for a container's init, writes its own pid into the parent of the init's
 * cgroup in every hierarchy mounted under /sys/fs/cgroup, and runs a
 * command there.  No checks, no rollback, no pidfds: it is a yardstick,
 * not a tool.
 *
 *   floor LXCPATH NAME COMMAND [ARG...]
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <lxc/lxccontainer.h>

static const char *mount_dir(const char *controllers)
{
	if (controllers[0] == '\0')
		return "unified";
	if (strcmp(controllers, "name=systemd") == 0)
		return "systemd";
	return controllers;
}

int main(int argc, char **argv)
{
	struct lxc_container *c;
	char path[4096], line[4096];
	FILE *f;
	pid_t init;

	if (argc < 4)
		return 2;

	c = lxc_container_new(argv[2], argv[1]);
	if (!c)
		return 3;
	init = c->init_pid(c);
	lxc_container_put(c);
	if (init <= 0)
		return 3;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", init);
	f = fopen(path, "re");
	if (!f)
		return 1;

	while (fgets(line, sizeof(line), f)) {
		char *ctrl = strchr(line, ':'), *cg, *slash;
		FILE *procs;

		if (!ctrl || !(cg = strchr(ctrl + 1, ':')))
			continue;
		*cg++ = '\0';
		cg[strcspn(cg, "\n")] = '\0';
		slash = strrchr(cg, '/');
		if (slash)
			*slash = '\0';

		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s/cgroup.procs", mount_dir(ctrl + 1), cg);
		procs = fopen(path, "we");
		if (!procs || fprintf(procs, "%d", (int)getpid()) < 0 || fclose(procs) != 0)
			return 1;
	}
	fclose(f);

	execvp(argv[3], argv + 3);
	return 127;
}
