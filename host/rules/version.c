#include "rules/version.h"

#include <stdio.h>
#include <string.h>

#include "nrp/result.h"

static nrp_result parse_version(const char **pp, nrp_version *v, uint8_t *parts)
{
    const char *p = *pp;
    memset(v, 0, sizeof *v);
    *parts = 0;
    for (;;) {
        if (*p < '0' || *p > '9')
            return NRP_ERROR;
        uint64_t n = 0;
        while (*p >= '0' && *p <= '9') {
            n = n * 10 + (uint64_t)(*p++ - '0');
            if (n > 0xFFFF) /* assembly version parts are 16-bit */
                return NRP_ERROR;
        }
        v->part[(*parts)++] = (uint32_t)n;
        if (*p != '.')
            break;
        if (*parts == 4)
            return NRP_ERROR;
        p++;
    }
    *pp = p;
    return NRP_OK;
}

nrp_result nrp_version_range_parse(const char *text, nrp_version_range *out, char *why, size_t why_cap)
{
    const char *p = text;
    memset(out, 0, sizeof *out);
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        nrp_version_op op = NRP_VERSION_EQ;
        if (p[0] == '>' && p[1] == '=')
            op = NRP_VERSION_GE, p += 2;
        else if (p[0] == '<' && p[1] == '=')
            op = NRP_VERSION_LE, p += 2;
        else if (*p == '>')
            op = NRP_VERSION_GT, p++;
        else if (*p == '<')
            op = NRP_VERSION_LT, p++;
        else if (*p == '=')
            p++;
        if (out->count == NRP_VERSION_MAX_BOUNDS) {
            snprintf(why, why_cap, "more than %d comparisons", NRP_VERSION_MAX_BOUNDS);
            return NRP_ERROR;
        }
        uint8_t parts;
        if (parse_version(&p, &out->bound[out->count].version, &parts) != NRP_OK || (*p && *p != ' ')) {
            snprintf(why, why_cap, "expected a version of 1 to 4 numbers (0-65535) joined by dots after the "
                                   "comparison at column %zu", (size_t)(p - text) + 1);
            return NRP_ERROR;
        }
        out->bound[out->count].op = op;
        out->bound[out->count].parts = parts;
        out->count++;
    }
    if (out->count == 0) {
        snprintf(why, why_cap, "empty range");
        return NRP_ERROR;
    }
    return NRP_OK;
}

static int compare(const nrp_version *a, const nrp_version *b, int parts)
{
    for (int i = 0; i < parts; i++)
        if (a->part[i] != b->part[i])
            return a->part[i] < b->part[i] ? -1 : 1;
    return 0;
}

int nrp_version_range_contains(const nrp_version_range *r, const nrp_version *v)
{
    for (uint32_t i = 0; i < r->count; i++) {
        int c = compare(v, &r->bound[i].version, r->bound[i].op == NRP_VERSION_EQ ? r->bound[i].parts : 4);
        int ok;
        switch (r->bound[i].op) {
        case NRP_VERSION_EQ: ok = c == 0; break;
        case NRP_VERSION_GT: ok = c > 0; break;
        case NRP_VERSION_GE: ok = c >= 0; break;
        case NRP_VERSION_LT: ok = c < 0; break;
        default: ok = c <= 0; break;
        }
        if (!ok)
            return 0;
    }
    return 1;
}
