// SPDX-License-Identifier: LGPL-2.1-or-later
#include <json-c/json.h>
#include <string.h>

#include "report.h"

static void json_putp(json_object **o)
{
	json_object_put(*o);
}

#define _cleanup_json_ __attribute__((cleanup(json_putp)))

static json_object *json_string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *controllers_array(const struct cg_hierarchy *h)
{
	_cleanup_free_ char *copy = strdup(h->controllers);
	json_object *a = json_object_new_array();
	char *save = NULL;

	if (!a || !copy) {
		json_object_put(a);
		return NULL;
	}

	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
		json_object_array_add(a, json_object_new_string(w));
	return a;
}

static json_object *row_json(const struct cg_report_row *r)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;

	json_object_object_add(o, "version", json_object_new_int(r->h->version));
	json_object_object_add(o, "controllers", controllers_array(r->h));
	json_object_object_add(o, "mountpoint", json_string_or_null(r->h->mountpoint));
	json_object_object_add(o, "init_cgroup", json_string_or_null(r->init_cgroup));
	json_object_object_add(o, "cgroup", json_string_or_null(r->cgroup));
	json_object_object_add(o, "root", json_string_or_null(r->root));
	json_object_object_add(o, "owner_uid",
			       r->owner_uid < 0 ? NULL : json_object_new_int64(r->owner_uid));
	json_object_object_add(o, "caller_cgroup", json_string_or_null(r->h->self_path));
	json_object_object_add(o, "caller_can_enter", json_object_new_boolean(r->can_enter));
	json_object_object_add(o, "rule", json_string_or_null(r->rule));
	return o;
}

static int show_json(FILE *f, const struct cg_container *c, const struct cg_report_row *rows,
		     size_t n)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	json_object *a = json_object_new_array();

	if (!o || !a) {
		json_object_put(a);
		return -ENOMEM;
	}

	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "lxcpath", json_object_new_string(c->lxcpath));
	json_object_object_add(o, "init_pid", json_object_new_int(c->init.pid));
	json_object_object_add(o, "monitor_pid", json_object_new_int(c->monitor.pid));
	json_object_object_add(o, "owner_uid", json_object_new_int64(c->owner_uid));
	json_object_object_add(o, "owner_gid", json_object_new_int64(c->owner_gid));
	json_object_object_add(o, "hierarchies", a);

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, row_json(&rows[i]));

	fprintf(f, "%s\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

static const char *or_none(const char *s)
{
	return s ? s : "-";
}

static int show_text(FILE *f, const struct cg_container *c, const struct cg_report_row *rows,
		     size_t n)
{
	fprintf(f, "container  %s\n", c->name);
	fprintf(f, "lxcpath    %s\n", c->lxcpath);
	fprintf(f, "init       %d\n", (int)c->init.pid);
	fprintf(f, "monitor    %d\n", (int)c->monitor.pid);
	fprintf(f, "owner      uid %u gid %u\n", (unsigned)c->owner_uid, (unsigned)c->owner_gid);

	for (size_t i = 0; i < n; i++) {
		const struct cg_report_row *r = &rows[i];

		fprintf(f, "\n%s (%s)\n", cg_hierarchy_name(r->h), or_none(r->h->mountpoint));
		fprintf(f, "  cgroup   %s\n", r->cgroup ? r->cgroup : "- (none of its own)");
		fprintf(f, "  init     %s\n", or_none(r->init_cgroup));
		fprintf(f, "  root     %s\n", or_none(r->root));
		if (r->owner_uid >= 0)
			fprintf(f, "  owner    uid %ld\n", r->owner_uid);
		else
			fprintf(f, "  owner    -\n");
		fprintf(f, "  caller   %s\n", r->h->self_path);
		fprintf(f, "  enter    %s%s%s\n", r->can_enter ? "yes" : "no", r->rule ? ": " : "",
			r->rule ? r->rule : "");
	}
	return 0;
}

int cg_report_show(FILE *f, const struct cg_container *c, const struct cg_report_row *rows,
		   size_t n, bool json)
{
	return json ? show_json(f, c, rows, n) : show_text(f, c, rows, n);
}
