/*
 * map.h - the analyzer's hash map: (k1, k2) -> 32-bit value, open
 * addressing with linear probing and backward-shift deletion (no
 * tombstones), so a map that sees millions of insertions and deletions of
 * short-lived objects (in-flight OIDs, originated NBLs) stays as small as
 * its live contents. Growth doubles; a map never shrinks below its peak.
 */
#ifndef XAN_MAP_H
#define XAN_MAP_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct xan_slot {
    uint64_t k1, k2;
    uint32_t v;    /* value + 1; 0 = empty */
};

struct xan_map {
    struct xan_slot *s;
    uint32_t mask, count;
};

#define XAN_MAP_NONE 0xFFFFFFFFu

static inline uint32_t xan_map_hash(uint64_t k1, uint64_t k2)
{
    uint64_t x = k1 ^ (k2 * 0x9E3779B97F4A7C15ull);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return (uint32_t)x;
}

static inline void xan_map_free(struct xan_map *m)
{
    free(m->s);
    m->s = NULL;
    m->mask = m->count = 0;
}

static inline void xan_map_clear(struct xan_map *m)
{
    if (m->s)
        memset(m->s, 0, ((size_t)m->mask + 1) * sizeof *m->s);
    m->count = 0;
}

static inline uint32_t xan_map_get(const struct xan_map *m, uint64_t k1, uint64_t k2)
{
    if (!m->s)
        return XAN_MAP_NONE;
    uint32_t i = xan_map_hash(k1, k2) & m->mask;
    while (m->s[i].v) {
        if (m->s[i].k1 == k1 && m->s[i].k2 == k2)
            return m->s[i].v - 1;
        i = (i + 1) & m->mask;
    }
    return XAN_MAP_NONE;
}

static inline int xan_map_grow(struct xan_map *m)
{
    uint32_t ncap = m->s ? (m->mask + 1) * 2 : 64;
    struct xan_slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (uint32_t i = 0; m->s && i <= m->mask; i++) {
        if (!m->s[i].v)
            continue;
        uint32_t j = xan_map_hash(m->s[i].k1, m->s[i].k2) & (ncap - 1);
        while (ns[j].v)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->s[i];
    }
    free(m->s);
    m->s = ns;
    m->mask = ncap - 1;
    return 0;
}

/* Insert or replace; returns 0 or -1 when memory runs out. */
static inline int xan_map_put(struct xan_map *m, uint64_t k1, uint64_t k2, uint32_t v)
{
    if ((!m->s || (uint64_t)(m->count + 1) * 4 > ((uint64_t)m->mask + 1) * 3) && xan_map_grow(m))
        return -1;
    uint32_t i = xan_map_hash(k1, k2) & m->mask;
    while (m->s[i].v) {
        if (m->s[i].k1 == k1 && m->s[i].k2 == k2) {
            m->s[i].v = v + 1;
            return 0;
        }
        i = (i + 1) & m->mask;
    }
    m->s[i].k1 = k1;
    m->s[i].k2 = k2;
    m->s[i].v = v + 1;
    m->count++;
    return 0;
}

static inline void xan_map_del(struct xan_map *m, uint64_t k1, uint64_t k2)
{
    if (!m->s)
        return;
    uint32_t i = xan_map_hash(k1, k2) & m->mask;
    while (m->s[i].v && !(m->s[i].k1 == k1 && m->s[i].k2 == k2))
        i = (i + 1) & m->mask;
    if (!m->s[i].v)
        return;
    m->count--;
    uint32_t j = i;
    for (;;) {
        m->s[i].v = 0;
        for (;;) {
            j = (j + 1) & m->mask;
            if (!m->s[j].v)
                return;
            uint32_t home = xan_map_hash(m->s[j].k1, m->s[j].k2) & m->mask;
            /* j stays unless its home lies cyclically in (i, j]. */
            if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
                continue;
            break;
        }
        m->s[i] = m->s[j];
        i = j;
    }
}

#endif
