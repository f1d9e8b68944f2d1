/*
 * tables.c - the switch's port table (ports with their NICs) and the MAC
 * learning table used by native forwarding. Both are open-addressing hash
 * tables with linear probing and tombstones, sized to powers of two, so that
 * 10,000+ ports stay O(1) per lookup with no per-packet allocation.
 */
#include "sw.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

static uint32_t hash_mac(const uint8_t *m, uint16_t vlan)
{
    uint32_t a = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
    uint32_t b = (uint32_t)m[4] | (uint32_t)m[5] << 8 | (uint32_t)vlan << 16;
    return hash32(a ^ hash32(b));
}

int xsw_tables_init(struct xsw_switch *sw)
{
    sw->port_cap = 64;
    sw->ports = calloc(sw->port_cap, sizeof *sw->ports);
    sw->mac_cap = 256;
    sw->macs = calloc(sw->mac_cap, sizeof *sw->macs);
    return sw->ports && sw->macs ? 0 : XSW_ENOMEM;
}

void xsw_tables_free(struct xsw_switch *sw)
{
    for (uint32_t i = 0; sw->ports && i < sw->port_cap; i++)
        for (unsigned k = 0; k < sizeof sw->ports[i].nics / sizeof sw->ports[i].nics[0]; k++)
            if (sw->ports[i].nics[k].chan)
                xsw_vm_channel_close(sw, &sw->ports[i].nics[k], 0); /* the switch is gone: no traffic */
    free(sw->ports);
    free(sw->macs);
    sw->ports = NULL;
    sw->macs = NULL;
}

struct xsw_port *xsw_port_find(struct xsw_switch *sw, uint32_t id)
{
    uint32_t mask = sw->port_cap - 1;
    for (uint32_t i = hash32(id) & mask, n = 0; n < sw->port_cap; i = (i + 1) & mask, n++) {
        struct xsw_port *p = &sw->ports[i];
        if (p->used == 0)
            return NULL;
        if (p->used == 1 && p->id == id)
            return p;
    }
    return NULL;
}

static int ports_grow(struct xsw_switch *sw)
{
    uint32_t ocap = sw->port_cap;
    struct xsw_port *old = sw->ports;
    uint32_t ncap = ocap * 2;
    struct xsw_port *np = calloc(ncap, sizeof *np);
    if (!np)
        return XSW_ENOMEM;
    sw->ports = np;
    sw->port_cap = ncap;
    for (uint32_t i = 0; i < ocap; i++) {
        if (old[i].used != 1)
            continue;
        uint32_t mask = ncap - 1, j = hash32(old[i].id) & mask;
        while (np[j].used)
            j = (j + 1) & mask;
        np[j] = old[i];
    }
    free(old);
    /* Rehashing drops tombstones. */
    sw->port_count = 0;
    for (uint32_t i = 0; i < ncap; i++)
        sw->port_count += np[i].used == 1;
    return 0;
}

/* Tombstones count towards the load factor so that probes stay short. */
static uint32_t port_slots_used(struct xsw_switch *sw)
{
    return sw->port_count;
}

struct xsw_port *xsw_port_add(struct xsw_switch *sw, uint32_t id)
{
    if (xsw_port_find(sw, id))
        return NULL;
    if ((port_slots_used(sw) + 1) * 4 > sw->port_cap * 3 && ports_grow(sw))
        return NULL;
    uint32_t mask = sw->port_cap - 1, i = hash32(id) & mask;
    while (sw->ports[i].used == 1)
        i = (i + 1) & mask;
    struct xsw_port *p = &sw->ports[i];
    if (p->used == 0)
        sw->port_count++;
    memset(p, 0, sizeof *p);
    p->used = 1;
    p->id = id;
    return p;
}

void xsw_port_remove(struct xsw_switch *sw, struct xsw_port *p)
{
    (void)sw;
    p->used = 2; /* tombstone: keeps probe chains intact */
}

struct xsw_nic *xsw_nic_find(struct xsw_switch *sw, uint32_t port, uint16_t nic)
{
    struct xsw_port *p = xsw_port_find(sw, port);
    if (!p)
        return NULL;
    for (unsigned i = 0; i < sizeof p->nics / sizeof p->nics[0]; i++)
        if (p->nics[i].used && p->nics[i].nic_index == nic)
            return &p->nics[i];
    return NULL;
}

static int macs_grow(struct xsw_switch *sw)
{
    uint32_t ocap = sw->mac_cap, ncap = ocap * 2;
    struct xsw_mac_entry *old = sw->macs, *nm = calloc(ncap, sizeof *nm);
    if (!nm)
        return XSW_ENOMEM;
    for (uint32_t i = 0; i < ocap; i++) {
        if (old[i].used != 1)
            continue;
        uint32_t j = hash_mac(old[i].mac, old[i].vlan) & (ncap - 1);
        while (nm[j].used)
            j = (j + 1) & (ncap - 1);
        nm[j] = old[i];
    }
    free(old);
    sw->macs = nm;
    sw->mac_cap = ncap;
    /* Rehashing drops tombstones. */
    sw->mac_count = 0;
    for (uint32_t i = 0; i < ncap; i++)
        sw->mac_count += nm[i].used == 1;
    return 0;
}

static struct xsw_mac_entry *mac_slot(struct xsw_switch *sw, const uint8_t *mac, uint16_t vlan, int insert)
{
    uint32_t mask = sw->mac_cap - 1;
    struct xsw_mac_entry *tomb = NULL;
    for (uint32_t i = hash_mac(mac, vlan) & mask, n = 0; n < sw->mac_cap; i = (i + 1) & mask, n++) {
        struct xsw_mac_entry *e = &sw->macs[i];
        if (e->used == 0)
            return insert ? (tomb ? tomb : e) : NULL;
        if (e->used == 2) {
            if (!tomb)
                tomb = e;
            continue;
        }
        if (e->vlan == vlan && memcmp(e->mac, mac, 6) == 0)
            return e;
    }
    return insert ? tomb : NULL;
}

void xsw_mac_learn(struct xsw_switch *sw, const uint8_t *mac, uint16_t vlan, uint32_t port, uint16_t nic)
{
    if (mac[0] & 1)
        return; /* never learn group addresses */
    struct xsw_mac_entry *e = mac_slot(sw, mac, vlan, 0);
    if (e) {
        e->port_id = port;
        e->nic_index = nic;
        return;
    }
    if ((sw->mac_count + 1) * 4 > sw->mac_cap * 3 && macs_grow(sw))
        return;
    e = mac_slot(sw, mac, vlan, 1);
    if (!e)
        return;
    if (e->used == 0)
        sw->mac_count++;
    memcpy(e->mac, mac, 6);
    e->vlan = vlan;
    e->port_id = port;
    e->nic_index = nic;
    e->used = 1;
}

const struct xsw_mac_entry *xsw_mac_lookup(struct xsw_switch *sw, const uint8_t *mac, uint16_t vlan)
{
    return mac_slot(sw, mac, vlan, 0);
}

void xsw_mac_forget_port(struct xsw_switch *sw, uint32_t port)
{
    for (uint32_t i = 0; i < sw->mac_cap; i++)
        if (sw->macs[i].used == 1 && sw->macs[i].port_id == port)
            sw->macs[i].used = 2;
}
