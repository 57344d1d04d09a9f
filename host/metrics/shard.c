#include "metrics/shard.h"

#include <pthread.h>
#include <stdlib.h>

__thread nrp_shard_table *nrp_shard_mine;

typedef struct owner {
    nrp_shard_kind kind;
    void *total; /* uint64_t * or nrp_hist_rec *; NULL once dropped */
} owner;

static struct {
    pthread_mutex_t lock;
    pthread_once_t once;
    pthread_key_t key;
    int key_made;
    uint32_t next_slot;
    owner *owners[NRP_SHARD_CHUNKS]; /* chunks of NRP_SHARD_CHUNK, made as slots are handed out */
    nrp_shard_table *live;
} G = {.lock = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT};

void nrp_shard_lock(void)
{
    pthread_mutex_lock(&G.lock);
}

void nrp_shard_unlock(void)
{
    pthread_mutex_unlock(&G.lock);
}

uint32_t nrp_shard_slot_new(nrp_shard_kind kind, uint64_t *counter_total, nrp_hist_rec *histogram_total)
{
    uint32_t slot = NRP_SHARD_NONE;
    pthread_mutex_lock(&G.lock);
    if (G.next_slot < NRP_SHARD_SLOTS) {
        owner **chunk = &G.owners[G.next_slot / NRP_SHARD_CHUNK];
        if (*chunk || (*chunk = calloc(NRP_SHARD_CHUNK, sizeof **chunk))) {
            slot = G.next_slot++;
            (*chunk)[slot % NRP_SHARD_CHUNK] =
                (owner){kind, kind == NRP_SHARD_COUNTER ? (void *)counter_total : (void *)histogram_total};
        }
    }
    pthread_mutex_unlock(&G.lock);
    return slot;
}

void nrp_shard_slot_drop(uint32_t slot)
{
    if (slot == NRP_SHARD_NONE)
        return;
    pthread_mutex_lock(&G.lock);
    G.owners[slot / NRP_SHARD_CHUNK][slot % NRP_SHARD_CHUNK].total = NULL;
    pthread_mutex_unlock(&G.lock);
}

/* A thread's copies go to their owners as it exits (pthread key
 * destructor, on that thread). */
static void retire(void *arg)
{
    nrp_shard_table *t = arg;
    pthread_mutex_lock(&G.lock);
    for (uint32_t c = 0; c < NRP_SHARD_CHUNKS; c++) {
        uint64_t *cells = t->chunks[c];
        if (!cells)
            continue;
        for (uint32_t i = 0; i < NRP_SHARD_CHUNK; i++) {
            const owner *o = &G.owners[c][i]; /* a chunk of cells exists only for handed-out slots */
            if (o->kind == NRP_SHARD_HISTOGRAM) {
                nrp_hist_rec *h = (nrp_hist_rec *)(uintptr_t)cells[i];
                if (h && o->total)
                    nrp_hist_rec_add_shared(o->total, h);
                nrp_hist_rec_free(h);
            } else if (cells[i] && o->total)
                __atomic_fetch_add((uint64_t *)o->total, cells[i], __ATOMIC_RELAXED);
        }
        free(cells);
    }
    if (t->prev)
        t->prev->next = t->next;
    else
        G.live = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&G.lock);
    free(t);
    nrp_shard_mine = NULL;
}

static void make_key(void)
{
    G.key_made = pthread_key_create(&G.key, retire) == 0;
}

uint64_t *nrp_shard_cell_slow(uint32_t slot)
{
    nrp_shard_table *t = nrp_shard_mine;
    if (slot >= NRP_SHARD_SLOTS)
        return NULL;
    if (!t) {
        if (!(t = calloc(1, sizeof *t)))
            return NULL;
        pthread_once(&G.once, make_key);
        pthread_mutex_lock(&G.lock);
        t->next = G.live;
        if (G.live)
            G.live->prev = t;
        G.live = t;
        pthread_mutex_unlock(&G.lock);
        /* Without the key the table is never folded, nor freed: it stays
         * live, and its counts in every export. */
        if (G.key_made)
            pthread_setspecific(G.key, t);
        nrp_shard_mine = t;
    }
    uint64_t *chunk = t->chunks[slot / NRP_SHARD_CHUNK];
    if (!chunk) {
        /* Made and published before any count goes in, so a cell is
         * never left behind by an export that walked past a NULL chunk. */
        if (!(chunk = calloc(NRP_SHARD_CHUNK, sizeof *chunk)))
            return NULL;
        __atomic_store_n(&t->chunks[slot / NRP_SHARD_CHUNK], chunk, __ATOMIC_RELEASE);
    }
    return &chunk[slot % NRP_SHARD_CHUNK];
}

void nrp_shard_count_slow(uint32_t slot, uint64_t *shared)
{
    uint64_t *cell = nrp_shard_cell_slow(slot);
    if (cell)
        __atomic_store_n(cell, *cell + 1, __ATOMIC_RELAXED);
    else
        __atomic_fetch_add(shared, 1, __ATOMIC_RELAXED);
}

void nrp_shard_record_slow(uint32_t slot, nrp_hist_rec *shared, uint64_t ns)
{
    uint64_t *cell = nrp_shard_cell_slow(slot);
    nrp_hist_rec *h = cell ? (nrp_hist_rec *)(uintptr_t)*cell : NULL;
    if (cell && !h && (h = nrp_hist_rec_new()))
        __atomic_store_n(cell, (uint64_t)(uintptr_t)h, __ATOMIC_RELEASE);
    /* Without a copy, or without memory for the duration's group in it,
     * the record goes to the shared total. */
    if (!h || !nrp_hist_rec_record_grow(h, ns))
        nrp_hist_rec_record_shared(shared, ns);
}

uint64_t nrp_shard_sum_counter(uint32_t slot)
{
    uint64_t sum = 0;
    if (slot >= NRP_SHARD_SLOTS)
        return 0;
    for (const nrp_shard_table *t = G.live; t; t = t->next) {
        const uint64_t *chunk = __atomic_load_n(&t->chunks[slot / NRP_SHARD_CHUNK], __ATOMIC_ACQUIRE);
        if (chunk)
            sum += __atomic_load_n(&chunk[slot % NRP_SHARD_CHUNK], __ATOMIC_RELAXED);
    }
    return sum;
}

void nrp_shard_sum_histogram(uint32_t slot, nrp_hist *out)
{
    if (slot >= NRP_SHARD_SLOTS)
        return;
    for (const nrp_shard_table *t = G.live; t; t = t->next) {
        const uint64_t *chunk = __atomic_load_n(&t->chunks[slot / NRP_SHARD_CHUNK], __ATOMIC_ACQUIRE);
        const nrp_hist_rec *h =
            chunk ? (const nrp_hist_rec *)(uintptr_t)__atomic_load_n(&chunk[slot % NRP_SHARD_CHUNK], __ATOMIC_ACQUIRE)
                  : NULL;
        if (h)
            nrp_hist_add_rec(out, h);
    }
}
