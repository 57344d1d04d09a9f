/* arena.h - bump allocation freed all at once: a method's instructions live
 * exactly as long as the rewrite that decoded them. */
#ifndef NRP_UTIL_ARENA_H
#define NRP_UTIL_ARENA_H

#include <stddef.h>

typedef struct nrp_arena_block nrp_arena_block;

typedef struct nrp_arena {
    nrp_arena_block *blocks;
    char *next;
    size_t left;
} nrp_arena;

/* Zeroed memory aligned for any type, or NULL when out of memory. */
void *nrp_arena_alloc(nrp_arena *a, size_t size);
void nrp_arena_free(nrp_arena *a);

#endif
