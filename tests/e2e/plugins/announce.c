/*
 * announce - a test plugin that exercises the metadata services and the
 * method identity end to end. Strategy `announce` makes the method print
 * "> DISPLAY [FLAGS]" on entry through
 *     ldstr "..."; call void [System.Console]System.Console::WriteLine(string)
 * so a type reference, an assembly reference, a member reference and a user
 * string are added to the module at ReJIT time, and the output shows what
 * the host told the plugin about the method.
 */
#include <stdio.h>
#include <string.h>

#include <nrp/plugin.h>

static const nrp_host_api *host;

static void describe(const nrp_method_info *m, char *out, size_t cap)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{NRP_METHOD_STATIC, "static"},       {NRP_METHOD_CONSTRUCTOR, "ctor"},
                 {NRP_METHOD_GENERIC, "generic"},     {NRP_METHOD_GENERIC_TYPE, "generic-type"},
                 {NRP_METHOD_VALUE_TYPE, "struct"},   {NRP_METHOD_ASYNC, "async"},
                 {NRP_METHOD_ITERATOR, "iterator"},   {NRP_METHOD_RETURNS_VALUE, "returns"},
                 {NRP_METHOD_BYREF_LIKE_TYPE, "ref-struct"}};
    size_t n = (size_t)snprintf(out, cap, "> %s [", m->display);
    const char *sep = "";
    for (size_t i = 0; i < sizeof names / sizeof *names && n < cap; i++)
        if (m->flags & names[i].bit) {
            n += (size_t)snprintf(out + n, cap - n, "%s%s", sep, names[i].name);
            sep = ",";
        }
    if (n < cap)
        snprintf(out + n, cap - n, "] params=%u generics=%u+%u", m->param_count, m->type_generic_param_count,
                 m->generic_param_count);
}

static int announce_rewrite(nrp_rewrite *rw, char *err, size_t errlen)
{
    static const uint8_t write_line[] = {0x00, 0x01, 0x01, 0x0E}; /* default void(string) */
    char text[1024];
    uint32_t console, method, string;
    describe(host->method(rw), text, sizeof text);
    if (host->type_ref(rw, "System.Console", "System.Console", &console) != NRP_OK ||
        host->member_ref(rw, console, "WriteLine", write_line, sizeof write_line, &method) != NRP_OK ||
        host->user_string(rw, text, &string) != NRP_OK)
        return NRP_ERROR; /* the service's own reason is reported */
    uint8_t il[10] = {0x72, 0, 0, 0, 0, 0x28, 0, 0, 0, 0}; /* ldstr; call */
    for (int i = 0; i < 4; i++) {
        il[1 + i] = (uint8_t)(string >> (8 * i));
        il[6 + i] = (uint8_t)(method >> (8 * i));
    }
    (void)err;
    (void)errlen;
    return host->il_insert_at_entry(rw, il, sizeof il);
}

static int announce_init(const nrp_host_api *api, char *err, size_t errlen)
{
    if (api->size < offsetof(nrp_host_api, method_slot)) {
        snprintf(err, errlen, "host too old: no metadata services");
        return NRP_ERROR;
    }
    host = api;
    return NRP_OK;
}

static const nrp_strategy strategies[] = {{.name = "announce", .rewrite = announce_rewrite}};

NRP_PLUGIN_DEFINE("announce", "1.0.0", strategies, announce_init);
