/*
 * names.c - names of trace kinds, OIDs, NDIS status codes, switch handlers,
 * filter events and findings, generated from the shared X-macro tables in
 * include/xsw/defs/ so that no name or value is ever copied by hand.
 *
 * Lookups by value are switch statements: the compiler turns them into jump
 * tables or binary searches, and a duplicated value in a table becomes a
 * compile error ("duplicate case value") instead of a silent shadowing.
 * Lookups by name scan the table; they serve spec loading, not the hot path.
 */
#include <string.h>

#include "xsw/trace.h"

const char *xsw_kind_name(unsigned kind)
{
    switch (kind) {
#define XSW_KIND(name, value, desc) \
    case value:                     \
        return #name;
#include "xsw/defs/trace_kinds.def"
#undef XSW_KIND
    }
    return NULL;
}

const char *xsw_oid_name(uint32_t oid)
{
    switch (oid) {
#define XSW_OID(name, value, type, cls) \
    case value:                         \
        return #name;
#include "xsw/defs/oids.def"
#undef XSW_OID
    }
    return NULL;
}

const char *xsw_status_name(uint32_t status)
{
    switch (status) {
#define XSW_STATUS(name, value) \
    case value:                 \
        return #name;
#include "xsw/defs/ndis_status.def"
#undef XSW_STATUS
    }
    return NULL;
}

const char *xsw_handler_name(unsigned id)
{
    switch (id) {
#define XSW_HANDLER(name, value) \
    case value:                  \
        return #name;
#include "xsw/defs/switch_handlers.def"
#undef XSW_HANDLER
    }
    return NULL;
}

const char *xsw_filter_event_name(unsigned id)
{
    switch (id) {
#define XSW_FEVENT(name, value, desc) \
    case value:                       \
        return #name;
#include "xsw/defs/filter_events.def"
#undef XSW_FEVENT
    }
    return NULL;
}

const char *xsw_finding_name(unsigned id)
{
    switch (id) {
#define XSW_FINDING(name, value, text) \
    case value:                        \
        return #name;
#include "xsw/defs/findings.def"
#undef XSW_FINDING
    }
    return NULL;
}

struct name_value {
    const char *name;
    uint32_t value;
};

static const struct name_value oid_table[] = {
#define XSW_OID(name, value, type, cls) { #name, value },
#include "xsw/defs/oids.def"
#undef XSW_OID
};

static const struct name_value status_table[] = {
#define XSW_STATUS(name, value) { #name, value },
#include "xsw/defs/ndis_status.def"
#undef XSW_STATUS
};

static int by_name(const struct name_value *t, size_t n, const char *name, uint32_t *value)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0) {
            *value = t[i].value;
            return 0;
        }
    return -1;
}

int xsw_oid_by_name(const char *name, uint32_t *value)
{
    return by_name(oid_table, sizeof oid_table / sizeof oid_table[0], name, value);
}

int xsw_status_by_name(const char *name, uint32_t *value)
{
    return by_name(status_table, sizeof status_table / sizeof status_table[0], name, value);
}
