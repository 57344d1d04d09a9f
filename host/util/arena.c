#include "util/arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE 16384

struct nrp_arena_block {
    nrp_arena_block *next;
    alignas(max_align_t) char data[];
};

void *nrp_arena_alloc(nrp_arena *a, size_t size)
{
    size = (size + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
    if (size > a->left) {
        size_t cap = size > BLOCK_SIZE ? size : BLOCK_SIZE;
        nrp_arena_block *b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = a->blocks;
        a->blocks = b;
        a->next = b->data;
        a->left = cap;
    }
    void *p = a->next;
    a->next += size;
    a->left -= size;
    memset(p, 0, size);
    return p;
}

void nrp_arena_free(nrp_arena *a)
{
    for (nrp_arena_block *b = a->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    memset(a, 0, sizeof *a);
}
