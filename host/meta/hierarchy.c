#include "meta/hierarchy.h"

#include <string.h>

#include "nrp/il.h"
#include "sig/sig.h"

/* Hierarchies this deep only come from corrupt or cyclic metadata. */
#define MAX_DEPTH 32
/* Interfaces looked at per type; real types declare a few dozen at most. */
#define MAX_INTERFACES 256

#define TABLE_OF(t) ((t) >> 24)
#define RID(t) ((t) & 0x00FFFFFFu)

static int check_token(const nrp_type_graph *g, void *module, uint32_t tok, const char *base, int depth);

static int derives(const nrp_type_graph *g, void *module, uint32_t td, const char *base, int depth)
{
    uint32_t extends = 0, ifaces[MAX_INTERFACES];
    size_t count = 0;
    if (depth > MAX_DEPTH)
        return 0;
    if (g->extends(g->ctx, module, td, &extends) != NRP_OK)
        return 0;
    if (RID(extends) && check_token(g, module, extends, base, depth + 1))
        return 1;
    if (g->interfaces(g->ctx, module, td, ifaces, MAX_INTERFACES, &count) != NRP_OK)
        return 0;
    for (size_t i = 0; i < count && i < MAX_INTERFACES; i++)
        if (check_token(g, module, ifaces[i], base, depth + 1))
            return 1;
    return 0;
}

/* Nested types ("Outer+Inner") are not looked up across modules. */
static uint32_t find_top_level(const nrp_type_graph *g, void *module, const char *name)
{
    return strchr(name, '+') ? 0 : g->find_type(g->ctx, module, name);
}

static int check_ref(const nrp_type_graph *g, void *module, uint32_t tr, const char *name, const char *base,
                     int depth)
{
    char assembly[512];
    if (g->ref_assembly(g->ctx, module, tr, assembly, sizeof assembly) != NRP_OK)
        return 0;
    if (!assembly[0]) {
        uint32_t td = find_top_level(g, module, name);
        return td && derives(g, module, td, base, depth);
    }
    void *other = g->open(g->ctx, assembly);
    if (!other)
        return 0;
    uint32_t td = find_top_level(g, other, name);
    int found = td && derives(g, other, td, base, depth);
    g->close(g->ctx, other);
    return found;
}

static int check_token(const nrp_type_graph *g, void *module, uint32_t tok, const char *base, int depth)
{
    if (depth > MAX_DEPTH)
        return 0;
    if (TABLE_OF(tok) == 0x1B) {
        /* A generic instantiation: follow its generic type definition. */
        const uint8_t *sig = NULL;
        uint32_t len = 0, generic;
        if (g->type_spec(g->ctx, module, tok, &sig, &len) != NRP_OK || len < 3 || sig[0] != NRP_ELEMENT_GENERICINST)
            return 0;
        const uint8_t *p = sig + 2;
        if (nrp_sig_read_type_token(&p, sig + len, &generic) != NRP_OK)
            return 0;
        return check_token(g, module, generic, base, depth + 1);
    }
    nrp_strbuf name;
    int found = 0;
    nrp_strbuf_init(&name);
    if (g->type_name(g->ctx, module, tok, &name) != NRP_OK || !name.data || name.status != NRP_OK) {
        nrp_strbuf_free(&name);
        return 0;
    }
    if (strcmp(name.data, base) == 0)
        found = 1;
    else if (TABLE_OF(tok) == 0x02)
        found = derives(g, module, tok, base, depth);
    else if (TABLE_OF(tok) == 0x01)
        found = check_ref(g, module, tok, name.data, base, depth);
    nrp_strbuf_free(&name);
    return found;
}

int nrp_type_derives_from(const nrp_type_graph *g, void *module, uint32_t td, const char *base)
{
    return derives(g, module, td, base, 0);
}
