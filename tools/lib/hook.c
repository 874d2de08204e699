// SPDX-License-Identifier: LGPL-2.1-or-later
#include <string.h>

#include "container.h"
#include "delegate.h"
#include "hook.h"

int hook_open(struct hook *h, const char *type, struct cg_err *err)
{
	_cleanup_free_ char *cmdline = NULL, *name = NULL;
	const char *env_name = getenv("LXC_NAME");
	int r;

	*h = (struct hook){ .type = type, .monitor = CG_PID_NULL, .uid = getuid(), .gid = getgid() };
	if (!env_name || !cg_container_name_valid(env_name))
		return cg_err_plain(err, -EINVAL,
				    "LXC_NAME is not set: run this as an LXC hook (lxc.hook.%s)",
				    type);

	r = cg_pid_open(getppid(), &h->monitor);
	if (r == 0)
		r = cg_pid_cmdline(&h->monitor, &cmdline);
	if (r < 0)
		return cg_err_set(err, r, "cannot read the parent of this hook");

	r = cg_monitor_parse(cmdline, &h->lxcpath, &name);
	if (r < 0)
		return cg_err_set(err, r, "cannot read the parent of this hook");
	if (r == 0 || strcmp(name, env_name) != 0)
		return cg_err_plain(err, -EPERM,
				    "the parent of this hook is not the monitor of container '%s'",
				    env_name);

	h->name = cg_steal_ptr(name);
	return 0;
}

void hook_close(struct hook *h)
{
	free(h->name);
	free(h->lxcpath);
	cg_pid_close(&h->monitor);
	h->name = h->lxcpath = NULL;
}

int hook_init_pid(pid_t *ret)
{
	const char *s = getenv("LXC_PID");

	return s ? cg_parse_pid(s, ret) : -EINVAL;
}

int hook_root(const struct hook *h, const char *opt, char *buf, size_t size)
{
	if (opt)
		return cg_snprintf(buf, size, "%s", opt);
	return cg_snprintf(buf, size, CG_DELEGATE_ROOT, (unsigned)h->uid);
}

int hook_fail(const struct hook *h, const struct cg_err *err)
{
	char line[sizeof(err->what) + sizeof(err->hint) + 256];

	cg_err_format(err, line, sizeof(line));
	fprintf(stderr, "cg-adopt %s: %s\n", h->type, line);
	return 1;
}
