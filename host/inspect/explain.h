/*
 * explain.h - why a rule selects nothing in an app: its near misses.
 *
 * The rule is tried again with one condition left out at a time (its
 * version range, `static`, `parameters`, `attribute`, `base`, its
 * excludes), through the same preview (inspect/preview.h), so a reason is
 * given only when the profiler's own matcher would select something
 * without it. Names that would match if case were ignored, and patterns
 * that match only compiler-made names, are said too.
 */
#ifndef NRP_INSPECT_EXPLAIN_H
#define NRP_INSPECT_EXPLAIN_H

#include "inspect/app.h"
#include "nrp/result.h"
#include "rules/config.h"
#include "util/strbuf.h"

/* Append to out one line per reason ("assembly 'shop' would match 'Shop'
 * if case were ignored\n"). NRP_NOMEM, else NRP_OK (with no line when no
 * reason was found). */
nrp_result nrp_explain_rule(const nrp_app *app, const nrp_rule *rule, nrp_strbuf *out);

#endif
