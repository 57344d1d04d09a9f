/*
 * abi_layouts.h - the layout of every public plugin ABI struct at each ABI
 * minor, checked by test_abi.c against include/nrp/plugin.h.
 *
 * These structs are append-only and each side reads the other's `size`
 * before touching a member it may not have, so a member added to one of
 * them is exactly what an ABI minor is: without a bump, a plugin that
 * declares the current minor could not tell whether its host has the
 * member. Rows are never edited once the minor they name has shipped in a
 * build; a new minor repeats the rows that did not change.
 *
 * To add a member: raise NRP_ABI_MINOR in include/nrp/plugin.h, put the
 * member at the end under a "---- added in ABI 1.N: check ->size before use
 * ----" comment, add the rows for minor N here (test_abi prints them), and
 * a line to "What each ABI minor added" in docs/PLUGINS.md.
 *
 * `size` is sizeof on x86-64 (LP64, glibc and musl alike); elsewhere only
 * `members` is checked. `members` counts the declarators in the struct's
 * body, so a member that fits in tail padding, or one carved out of a
 * reserved array, still counts.
 */
#ifndef NRP_TEST_ABI_LAYOUTS_H
#define NRP_TEST_ABI_LAYOUTS_H

#include <stddef.h>

typedef struct nrp_abi_layout {
    unsigned minor;
    const char *type;
    size_t size;
    unsigned members;
} nrp_abi_layout;

static const nrp_abi_layout nrp_abi_layouts[] = {
    /* 1.0 as it stood when 1.1 began (the parent of commit 6742e5f). */
    {0, "nrp_host_api", 168, 23},
    {0, "nrp_wrap", 80, 13},
    {0, "nrp_param_info", 24, 4},
    {0, "nrp_method_info", 88, 15},
    {0, "nrp_strategy", 56, 4},
    {0, "nrp_abi_fingerprint", 16, 4},
    {0, "nrp_plugin", 136, 11},
    /* 1.1: nrp_host_api.check_static_method. */
    {1, "nrp_host_api", 176, 24},
    {1, "nrp_wrap", 80, 13},
    {1, "nrp_param_info", 24, 4},
    {1, "nrp_method_info", 88, 15},
    {1, "nrp_strategy", 56, 4},
    {1, "nrp_abi_fingerprint", 16, 4},
    {1, "nrp_plugin", 136, 11},
    /* 1.2: nrp_host_api.histogram_record. */
    {2, "nrp_host_api", 184, 25},
    {2, "nrp_wrap", 80, 13},
    {2, "nrp_param_info", 24, 4},
    {2, "nrp_method_info", 88, 15},
    {2, "nrp_strategy", 56, 4},
    {2, "nrp_abi_fingerprint", 16, 4},
    {2, "nrp_plugin", 136, 11},
    /* 1.3: nrp_host_api.counter_sharded, counter_increment, clock_ticks,
     * histogram_record_since. */
    {3, "nrp_host_api", 216, 29},
    {3, "nrp_wrap", 80, 13},
    {3, "nrp_param_info", 24, 4},
    {3, "nrp_method_info", 88, 15},
    {3, "nrp_strategy", 56, 4},
    {3, "nrp_abi_fingerprint", 16, 4},
    {3, "nrp_plugin", 136, 11},
    /* 1.4: nrp_wrap.task_done, task_cookie, task_start_local,
     * task_exit_method, task_state_local, task_exit_result (and the
     * NRP_METHOD_RETURNS_TASK/_VALUE_TASK flags, NRP_TASK_* values). */
    {4, "nrp_host_api", 216, 29},
    {4, "nrp_wrap", 112, 19},
    {4, "nrp_param_info", 24, 4},
    {4, "nrp_method_info", 88, 15},
    {4, "nrp_strategy", 56, 4},
    {4, "nrp_abi_fingerprint", 16, 4},
    {4, "nrp_plugin", 136, 11},
    /* 1.5: no member added; check_static_method() may be called with rw
     * NULL from validate() (nrprof check --app looks in the app). */
    {5, "nrp_host_api", 216, 29},
    {5, "nrp_wrap", 112, 19},
    {5, "nrp_param_info", 24, 4},
    {5, "nrp_method_info", 88, 15},
    {5, "nrp_strategy", 56, 4},
    {5, "nrp_abi_fingerprint", 16, 4},
    {5, "nrp_plugin", 136, 11},
};

#endif
