/*
 * module_cache.h - what rewrites learn about one loaded module and may
 * reuse: the tokens of the signatures and references they asked for, facts
 * read from its metadata (a call's stack effect, a type's kind), and the
 * module's metadata interfaces.
 *
 * Every rewrite in a module asks for the same few tokens (timing: three
 * calli signatures and two TypeRefs), and each answer from the runtime costs
 * microseconds: GetTokenFromSig searches the module's signatures, and a new
 * TypeRef needs ApplyMetaData before a body may use it. The answers never
 * change while the module is loaded, so a module keeps them from its first
 * rewrite on. Opening the metadata interfaces again for every rewrite costs
 * as much; they are kept too.
 *
 * A cache belongs to one load of one module (rejit/modules.c makes it at
 * ModuleLoadFinished and drops it at ModuleUnloadStarted, since the runtime
 * may give the ModuleID to a module loaded later). It is reference-counted:
 * a rewrite still running when the module unloads keeps what it holds.
 * Any thread. Plain C: the interfaces are opaque here and released through
 * the function given at creation.
 */
#ifndef NRP_REJIT_MODULE_CACHE_H
#define NRP_REJIT_MODULE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "nrp/result.h"

/* What was asked: the same key bytes mean different things per kind. The
 * answer is a 32-bit value: a token, or a fact packed by the asker. */
typedef enum nrp_cache_kind {
    NRP_CACHE_SIG = 1,      /* GetTokenFromSig: a standalone signature blob */
    NRP_CACHE_TYPE_SPEC,    /* a TypeSpec blob */
    NRP_CACHE_ASSEMBLY_REF, /* an AssemblyRef name */
    NRP_CACHE_TYPE_REF,     /* a TypeRef: home assembly (or none) and type name */
    NRP_CACHE_MEMBER_REF,   /* a MemberRef: parent token, name and signature */
    NRP_CACHE_CALL_INFO,    /* a call site token: its stack effect */
    NRP_CACHE_TYPE_FACTS,   /* a TypeDef token: value type, by-ref-like, generic parameters */
    NRP_CACHE_ATTRIBUTE,    /* a custom attribute's constructor: the method flags it stands for */
    NRP_CACHE_RETURN_TYPE,  /* a return type's TypeDef/TypeRef: which task type it is, if any */
    NRP_CACHE_TASK_WATCH,   /* rejit/task_watch.c's class: Watch's MethodDef, 0 if defining it failed */
} nrp_cache_kind;

/* The interfaces kept, one slot each. */
enum { NRP_CACHE_IMPORT, NRP_CACHE_EMIT, NRP_CACHE_ASSEMBLY_IMPORT, NRP_CACHE_ASSEMBLY_EMIT, NRP_CACHE_IFACES };

typedef struct nrp_module_cache nrp_module_cache;

/* A cache with one reference, or NULL when out of memory. `release` drops
 * one reference to an interface; it is called for each kept interface when
 * the last reference to the cache goes. */
nrp_module_cache *nrp_module_cache_create(void (*release)(void *iface));

void nrp_module_cache_retain(nrp_module_cache *c);

/* Drop one reference; the last frees the answers and releases the
 * interfaces. NULL is allowed. */
void nrp_module_cache_release(nrp_module_cache *c);

/* The interface in `slot`, or NULL. It stays valid while the caller holds
 * a reference to the cache. */
void *nrp_module_cache_iface(nrp_module_cache *c, int slot);

/* Keep `iface` (one reference, handed over) in `slot` and return the one
 * the slot holds now: when another thread filled the slot first, `iface`
 * is released and the other one returned. */
void *nrp_module_cache_keep_iface(nrp_module_cache *c, int slot, void *iface);

/* The answer to the question of these key bytes, if known: 1 and *value
 * set, else 0. */
int nrp_module_cache_find(nrp_module_cache *c, nrp_cache_kind kind, const void *key, size_t len, uint32_t *value);

/* Remember an answer. A key already there keeps its first answer (the
 * runtime gives the same answer to the same question). NRP_OK, or
 * NRP_NOMEM, which only means the next rewrite asks the runtime again. */
nrp_result nrp_module_cache_put(nrp_module_cache *c, nrp_cache_kind kind, const void *key, size_t len,
                                uint32_t value);

/* How many answers are kept (for tests). */
size_t nrp_module_cache_count(nrp_module_cache *c);

#endif
