// SPDX-License-Identifier: LGPL-2.1-or-later
#include <string.h>

#include "proc-cgroup.h"
#include "util.h"

#define DELETED_MARK " (deleted)"

/* Super options of a v1 cgroup mount that name no controller. */
static bool is_option_not_controller(const char *s)
{
	static const char *const options[] = {
		"rw",
		"ro",
		"noprefix",
		"clone_children",
		"xattr",
		"none",
		"cpuset_v2_mode",
		"favordynmods",
		"nsdelegate",
		"memory_localevents",
		"memory_recursiveprot",
		"memory_hugetlb_accounting",
		"pids_localevents",
	};

	if (strncmp(s, "release_agent=", 14) == 0)
		return true;

	for (size_t i = 0; i < CG_ARRAY_SIZE(options); i++)
		if (strcmp(s, options[i]) == 0)
			return true;
	return false;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cg_controllers_normalize(const char *list, char **ret)
{
	_cleanup_free_ char *copy = NULL, *out = NULL;
	_cleanup_free_ char **words = NULL;
	size_t n = 0, len = 0;
	char *save = NULL;

	copy = strdup(list);
	words = calloc(strlen(list) / 2 + 2, sizeof(*words));
	out = calloc(1, strlen(list) + 1);
	if (!copy || !words || !out)
		return -ENOMEM;

	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
		if (!is_option_not_controller(w))
			words[n++] = w;

	qsort(words, n, sizeof(*words), compare_strings);

	for (size_t i = 0; i < n; i++) {
		size_t wl = strlen(words[i]);

		if (i > 0)
			out[len++] = ',';
		memcpy(out + len, words[i], wl);
		len += wl;
	}

	out[len] = '\0';
	*ret = cg_steal_ptr(out);
	return 0;
}

static int parse_line(char *line, struct cg_proc_entry *e)
{
	char *c1, *c2, *path;
	unsigned long id;
	size_t len;
	int r;

	c1 = strchr(line, ':');
	if (!c1)
		return -EINVAL;
	c2 = strchr(c1 + 1, ':');
	if (!c2)
		return -EINVAL;
	*c1 = *c2 = '\0';
	path = c2 + 1;

	r = cg_parse_uint(line, &id);
	if (r < 0 || path[0] != '/')
		return -EINVAL;

	/* The kernel marks removed cgroups on cgroup2 only; on v1 the same
	 * text is part of a cgroup's name. */
	len = strlen(path);
	e->deleted = id == 0 && c1[1] == '\0' && len > strlen(DELETED_MARK) &&
		     strcmp(path + len - strlen(DELETED_MARK), DELETED_MARK) == 0;
	if (e->deleted)
		path[len - strlen(DELETED_MARK)] = '\0';

	e->id = (int)id;
	e->version = (id == 0 && c1[1] == '\0') ? 2 : 1;
	e->path = strdup(path);
	if (!e->path)
		return -ENOMEM;

	return cg_controllers_normalize(c1 + 1, &e->controllers);
}

int cg_proc_parse(const char *text, struct cg_proc *ret)
{
	_cleanup_free_ char *copy = NULL;
	struct cg_proc p = { 0 };
	size_t lines = 1;
	char *save = NULL;
	int r = 0;

	copy = strdup(text);
	if (!copy)
		return -ENOMEM;

	for (const char *s = text; *s; s++)
		lines += *s == '\n';

	p.entries = calloc(lines, sizeof(*p.entries));
	if (!p.entries)
		return -ENOMEM;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		/* Counted before the check, so that a half-parsed entry is freed. */
		r = parse_line(l, &p.entries[p.n++]);
		if (r < 0)
			break;
	}

	/* An empty file is no process's cgroups: the reader raced an exit. */
	if (r == 0 && p.n == 0)
		r = -EINVAL;
	if (r < 0) {
		cg_proc_free(&p);
		return r;
	}

	*ret = p;
	return 0;
}

int cg_proc_read(int procfd, struct cg_proc *ret)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = cg_read_file_at(procfd, "cgroup", &text);
	/* A reaped process leaves its /proc directory answering ESRCH. */
	if (r == -ENOENT)
		return -ESRCH;
	if (r < 0)
		return r;

	return cg_proc_parse(text, ret);
}

const struct cg_proc_entry *cg_proc_find(const struct cg_proc *p, int version,
					 const char *controllers)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct cg_proc_entry *e = &p->entries[i];

		if (e->version == version && strcmp(e->controllers, controllers) == 0)
			return e;
	}
	return NULL;
}

void cg_proc_free(struct cg_proc *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->entries[i].controllers);
		free(p->entries[i].path);
	}
	free(p->entries);
	p->entries = NULL;
	p->n = 0;
}
