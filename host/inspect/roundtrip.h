/*
 * roundtrip.h - an offline oracle for the IL engine (host/il): every IL
 * method body of an assembly is decoded, encoded and decoded again, and
 * the two decodings compared in meaning. No runtime: call sites and
 * local signatures are read from the file by host/meta.
 *
 * "In meaning" because the engine keeps branches in their long form and
 * picks short or long forms when it lays the code out, so the bytes may
 * change while the method may not: the same instructions with the same
 * operands, branch and switch targets as instruction indexes, the same
 * exception clauses (ranges as instruction indexes, in the same order:
 * the runtime tries them in table order), the same init-locals flag and
 * local signature, and a header max stack not below the compiler's.
 * A body the engine refuses to decode or encode is a difference too.
 */
#ifndef NRP_INSPECT_ROUNDTRIP_H
#define NRP_INSPECT_ROUNDTRIP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "il/il_method.h"
#include "meta/meta.h"
#include "nrp/result.h"
#include "util/err.h"
#include "util/strbuf.h"

typedef struct nrp_roundtrip_stats {
    size_t assemblies;   /* files opened and walked */
    size_t methods;      /* MethodDefs with an IL body, each round-tripped */
    size_t differences;  /* of those, the methods reported */
    /* Methods whose re-encoded header declares a larger max stack than the
     * compiler did: the engine's analysis found a deeper stack. Not a
     * difference (a larger bound is still a bound), but a count that should
     * stay 0 on compiler output, where the declared value is exact or more. */
    size_t stack_raised;
} nrp_roundtrip_stats;

/* Round-trip every IL body of the assembly at path; stats are added to.
 * Each difference is written to `report` (may be NULL) as one line
 * "PATH: Type::Method(params) 0xTOKEN: what differs" (the token alone
 * when the names cannot be read). NRP_ERROR (with err) only when the file
 * cannot be read as an assembly. */
nrp_result nrp_roundtrip_assembly(const char *path, nrp_roundtrip_stats *stats, FILE *report, nrp_err *err);

/* The same over an opened reader (nrp_meta_open, nrp_meta_open_file, or a
 * sparse one that has read the MethodDef, MemberRef, MethodSpec and
 * StandAloneSig tables); `label` starts each report line. Nothing fails the
 * walk: each method's trouble, even its row unread, is its own report. */
void nrp_roundtrip_meta(const nrp_meta *m, const char *label, nrp_roundtrip_stats *stats, FILE *report);

/* What the IL engine asks of the runtime (call sites' stack effects, local
 * signatures), answered from the reader's tables. No sig_token: a round
 * trip never adds locals. */
void nrp_roundtrip_env(const nrp_meta *m, nrp_il_env *env);

/* Round-trip one method body (`sig`, the method's signature, is needed
 * for ret). 0 when the re-encoded body means the same; 1 when it does
 * not, or the engine refused it, with what differs (the first thing
 * found) in `what`. *stack_raised (may be NULL) is set as the stats
 * count it. */
int nrp_roundtrip_body(const uint8_t *body, size_t len, const uint8_t *sig, uint32_t sig_len, const nrp_il_env *env,
                       nrp_strbuf *what, int *stack_raised);

/* Compare two decoded methods as above (b's header max stack against a's
 * declared one: not below). 0 the same; 1 with the first difference in
 * `what`. */
int nrp_roundtrip_compare(const nrp_il_method *a, const nrp_il_method *b, nrp_strbuf *what);

#endif
