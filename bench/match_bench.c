/*
 * match_bench - cost of choosing the rule for each method of a loaded
 * module, at 10, 1,000 and 10,000 rules naming their assembly, type and
 * method exactly. It runs what the profiler runs at ModuleLoadFinished
 * (rule_index.h): the per-module candidate set, then the type and method
 * filters and, for every method, all the rules that select it. For contrast it also times
 * trying every rule in order, as a host without an index would.
 *
 * The module: assembly "Lib7", 2,000 types of 8 methods each, and 20 rules
 * that select methods in it, whatever the rule count. The other rules name
 *   spread:  other libraries (Lib0..Lib49), as a large rule set covering
 *            many libraries would;
 *   same:    other types of Lib7 itself, the worst case for the per-module
 *            set-up, which is linear in the rules naming the assembly.
 * Sizes are interleaved and each is measured 11 times; medians are printed.
 *
 *   build/bench/match_bench
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/rule_index.h"

#define TYPES 2000
#define METHODS 8
#define REPEATS 11

static const size_t sizes[] = {10, 1000, 10000};
#define SIZES (sizeof sizes / sizeof sizes[0])

static char type_names[TYPES][32];
static char method_names[METHODS][16];

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

#define SELECTING 20

static nrp_rule *make_rules(size_t n, int same_assembly)
{
    nrp_rule *rules = calloc(n, sizeof *rules);
    for (size_t i = 0; i < n; i++) {
        char buf[64];
        size_t lib = i < SELECTING || same_assembly ? 7 : 8 + i % 42;
        rules[i].enabled = 1;
        snprintf(buf, sizeof buf, "Lib%zu", lib);
        rules[i].match.assembly = strdup(buf);
        if (i < SELECTING)
            snprintf(buf, sizeof buf, "Lib7.Type%zu", i * 97 % TYPES);
        else
            snprintf(buf, sizeof buf, "Lib%zu.Other%zu", lib, i);
        rules[i].match.type = strdup(buf);
        snprintf(buf, sizeof buf, "Method%zu", i % METHODS);
        rules[i].match.method = strdup(buf);
        rules[i].match.is_static = -1;
    }
    return rules;
}

static volatile long sink;

/* ns per method for one pass over the module with the index */
static double with_index(const nrp_rule_index *ix)
{
    double t0 = now_ns();
    long found = 0;
    nrp_module_rules *mr = NULL;
    if (nrp_rule_index_module(ix, "Lib7", &mr) != NRP_OK)
        return -1;
    for (int t = 0; mr && t < TYPES; t++) {
        if (!nrp_module_rules_want_type(mr, type_names[t]))
            continue;
        for (int m = 0; m < METHODS; m++) {
            if (!nrp_module_rules_want_method(mr, type_names[t], method_names[m]))
                continue;
            nrp_method_view v = {"Lib7", NULL, type_names[t], method_names[m], 0, "", NULL, NULL, NULL, NULL, NULL};
            uint32_t ids[8];
            found += nrp_module_rules_select_all(mr, &v, ids, 8) > 0;
        }
    }
    nrp_module_rules_free(mr);
    sink = found;
    return (now_ns() - t0) / (TYPES * METHODS);
}

/* the same choice, trying every rule in order */
static double linear(const nrp_rule *rules, size_t n)
{
    double t0 = now_ns();
    long found = 0;
    for (int t = 0; t < TYPES; t++)
        for (int m = 0; m < METHODS; m++) {
            nrp_method_view v = {"Lib7", NULL, type_names[t], method_names[m], 0, "", NULL, NULL, NULL, NULL, NULL};
            for (size_t i = 0; i < n; i++)
                found += nrp_rule_selects(&rules[i], &v);
        }
    sink = found;
    return (now_ns() - t0) / (TYPES * METHODS);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void run(int same_assembly)
{
    static double indexed[SIZES][REPEATS], scanned[SIZES][REPEATS];
    nrp_rule *rules[SIZES];
    nrp_rule_index *ix[SIZES];
    for (size_t s = 0; s < SIZES; s++) {
        rules[s] = make_rules(sizes[s], same_assembly);
        ix[s] = nrp_rule_index_build(rules[s], sizes[s]);
    }
    for (int r = 0; r < REPEATS; r++)
        for (size_t s = 0; s < SIZES; s++) {
            indexed[s][r] = with_index(ix[s]);
            scanned[s][r] = linear(rules[s], sizes[s]);
        }
    for (size_t s = 0; s < SIZES; s++) {
        qsort(indexed[s], REPEATS, sizeof(double), cmp);
        qsort(scanned[s], REPEATS, sizeof(double), cmp);
        printf("%-7s %8zu %22.1f %22.1f\n", same_assembly ? "same" : "spread", sizes[s], indexed[s][REPEATS / 2],
               scanned[s][REPEATS / 2]);
    }
}

int main(void)
{
    for (int t = 0; t < TYPES; t++)
        snprintf(type_names[t], sizeof type_names[t], "Lib7.Type%d", t);
    for (int m = 0; m < METHODS; m++)
        snprintf(method_names[m], sizeof method_names[m], "Method%d", m);
    printf("%-7s %8s %22s %22s\n", "others", "rules", "indexed ns/method", "every-rule ns/method");
    run(0);
    run(1);
    return 0;
}
