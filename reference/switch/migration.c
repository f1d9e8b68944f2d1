/*
 * migration.c - live migration of a VM between two harness hosts
 * (extensible-switch.md §4.7, learn.microsoft.com
 * hyper-v-extensible-switch-live-migration-support.md, validation-ports.md).
 *
 * Each host is its own process with its own switch, extension instances and
 * trace; the two talk over a socket. The documented order is:
 *   destination (1) validation port: PORT_CREATE (IsValidationPort), the
 *               port's policies (PORT_PROPERTY_ADD), then PORT_TEARDOWN and
 *               PORT_DELETE; (2) operational PORT_CREATE with the same port
 *               parameters as on the source, then its policies;
 *   source      (3) save: NIC_SAVE ... NIC_SAVE_COMPLETE;
 *               (4) NIC_DISCONNECT, NIC_DELETE, PORT_TEARDOWN, PORT_DELETE;
 *   destination (5) NIC_CREATE, NIC_CONNECT, then the saved run-time data
 *               restored: NIC_RESTORE per blob ... NIC_RESTORE_COMPLETE.
 * The saved blobs travel from the source to the destination, joined by the
 * blob of an extension the source ran and the destination lacks. Port policies
 * exercise PORT_PROPERTY_ADD / UPDATE / DELETE for VLAN, security and a
 * custom property.
 */
#include "sw.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xsw/scenario.h"

enum lm_msg { LM_READY = 1, LM_BLOBS = 2, LM_DONE = 3, LM_FAIL = 4 };

#define LM_VM_PORT 100
#define LM_MAX_MSG (XSW_MAX_SAVE_BLOBS * 70000u + 64u)

static const uint8_t lm_mac[6] = {0x00, 0x15, 0x5d, 0x4c, 0x00, 0x01};
static const uint8_t gw_mac[6] = {0x00, 0x15, 0x5d, 0xfe, 0x00, 0x01};

/* The custom port property this scenario provisions: an opaque policy of a vendor. */
static const uint8_t custom_id[16] = {0x3f, 0x8a, 0x51, 0x2c, 0x9e, 0x04, 0x4b, 0x7d,
                                      0xa1, 0x66, 0x0d, 0x52, 0xe8, 0x3b, 0x19, 0x70};

static int write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n)
{
    uint8_t *b = p;
    while (n) {
        ssize_t r = read(fd, b, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        b += r;
        n -= (size_t)r;
    }
    return 0;
}

static int send_msg(int fd, uint32_t type, const void *p, uint32_t len)
{
    uint32_t h[2] = {type, len};
    return write_all(fd, h, sizeof h) || (len && write_all(fd, p, len)) ? -1 : 0;
}

/* Receive one message of type "want" (its payload in *out, malloc'd). */
static int recv_msg(struct xsw_switch *sw, int fd, uint32_t want, uint8_t **out, uint32_t *len)
{
    uint32_t h[2];
    if (read_all(fd, h, sizeof h)) {
        snprintf(sw->err, sizeof sw->err, "live migration: the other host stopped (its trace says why)");
        return XSW_EIO;
    }
    if (h[1] > LM_MAX_MSG) {
        snprintf(sw->err, sizeof sw->err, "live migration: message of %u bytes from the other host", h[1]);
        return XSW_ELIMIT;
    }
    uint8_t *b = h[1] ? malloc(h[1]) : NULL;
    if (h[1] && (!b || read_all(fd, b, h[1]))) {
        free(b);
        snprintf(sw->err, sizeof sw->err, "live migration: the other host stopped mid-message");
        return XSW_EIO;
    }
    if (h[0] != want) {
        free(b);
        snprintf(sw->err, sizeof sw->err, "live migration: the other host failed (message %u instead of %u)", h[0], want);
        return XSW_EIO;
    }
    if (out)
        *out = b;
    else
        free(b);
    if (len)
        *len = h[1];
    return 0;
}

/* PORT_PROPERTY_ADD/UPDATE of "type" with "payload" (an NDIS object of "plen" bytes). */
static int64_t port_property(struct xsw_switch *sw, uint32_t oid, uint32_t port, NDIS_SWITCH_PORT_PROPERTY_TYPE type,
                             const void *payload, uint32_t plen)
{
    static uint8_t buf[sizeof(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS) + 2048];
    uint32_t len = (uint32_t)sizeof(NDIS_SWITCH_PORT_PROPERTY_PARAMETERS) + plen;
    memset(buf, 0, len);
    NDIS_SWITCH_PORT_PROPERTY_PARAMETERS *pp = (void *)buf;
    pp->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp->Header.Revision = NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1;
    pp->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_PARAMETERS_REVISION_1;
    pp->PortId = port;
    pp->PropertyType = type;
    if (type == NdisSwitchPortPropertyTypeCustom)
        memcpy(&pp->PropertyId, custom_id, 16);
    pp->PropertyVersion = NDIS_SWITCH_CREATE_PROPERTY_VERSION(1, 0);
    pp->SerializationVersion = NDIS_SWITCH_OBJECT_SERIALIZATION_VERSION_1;
    pp->PropertyBufferLength = plen;
    pp->PropertyBufferOffset = sizeof *pp;
    memcpy(buf + sizeof *pp, payload, plen);
    return xsw_issue_oid(sw, oid, NdisRequestSetInformation, buf, len, len, NULL, NULL);
}

static int64_t port_property_delete(struct xsw_switch *sw, uint32_t port, NDIS_SWITCH_PORT_PROPERTY_TYPE type)
{
    static NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS d;
    memset(&d, 0, sizeof d);
    d.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    d.Header.Revision = NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS_REVISION_1;
    d.Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_DELETE_PARAMETERS_REVISION_1;
    d.PortId = port;
    d.PropertyType = type;
    if (type == NdisSwitchPortPropertyTypeCustom)
        memcpy(&d.PropertyId, custom_id, 16);
    return xsw_issue_oid(sw, OID_SWITCH_PORT_PROPERTY_DELETE, NdisRequestSetInformation, &d, sizeof d, sizeof d, NULL,
                         NULL);
}

/* The VM's policies: access VLAN 0 (untagged), security, and a vendor's custom property. */
static int provision_policies(struct xsw_switch *sw, uint32_t port, int update)
{
    static NDIS_SWITCH_PORT_PROPERTY_VLAN vlan;
    memset(&vlan, 0, sizeof vlan);
    vlan.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    vlan.Header.Revision = NDIS_SWITCH_PORT_PROPERTY_VLAN_REVISION_1;
    vlan.Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_VLAN_REVISION_1;
    vlan.OperationMode = NdisSwitchPortVlanModeAccess;
    vlan.VlanProperties.AccessVlanId = 0;
    NDIS_SWITCH_PORT_PROPERTY_SECURITY sec;
    memset(&sec, 0, sizeof sec);
    sec.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    sec.Header.Revision = NDIS_SWITCH_PORT_PROPERTY_SECURITY_REVISION_1;
    sec.Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_SECURITY_REVISION_1;
    sec.AllowMacSpoofing = FALSE;
    sec.AllowIeeePriorityTag = FALSE;
    sec.AllowTeaming = FALSE;
    static uint8_t custom[sizeof(NDIS_SWITCH_PORT_PROPERTY_CUSTOM) + 16];
    memset(custom, 0, sizeof custom);
    NDIS_SWITCH_PORT_PROPERTY_CUSTOM *c = (void *)custom;
    c->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    c->Header.Revision = NDIS_SWITCH_PORT_PROPERTY_CUSTOM_REVISION_1;
    c->Header.Size = NDIS_SIZEOF_NDIS_SWITCH_PORT_PROPERTY_CUSTOM_REVISION_1;
    c->PropertyBufferLength = 16;
    c->PropertyBufferOffset = sizeof *c;
    memcpy(custom + sizeof *c, "xsw-lm-policy-01", 16);
    int64_t st = port_property(sw, OID_SWITCH_PORT_PROPERTY_ADD, port, NdisSwitchPortPropertyTypeVlan, &vlan, sizeof vlan);
    if (st >= 0)
        st = port_property(sw, OID_SWITCH_PORT_PROPERTY_ADD, port, NdisSwitchPortPropertyTypeSecurity, &sec, sizeof sec);
    if (st >= 0)
        st = port_property(sw, OID_SWITCH_PORT_PROPERTY_ADD, port, NdisSwitchPortPropertyTypeCustom, custom, sizeof custom);
    if (st >= 0 && update) {
        sec.AllowIeeePriorityTag = TRUE;
        st = port_property(sw, OID_SWITCH_PORT_PROPERTY_UPDATE, port, NdisSwitchPortPropertyTypeSecurity, &sec,
                           sizeof sec);
    }
    return st < 0 ? (int)st : 0;
}

static int host_start(struct xsw_switch *sw)
{
    return xsw_scenario_host_start(sw);
}

static int vm_nic_up(struct xsw_switch *sw, uint32_t port)
{
    struct xsw_nic_desc d;
    memset(&d, 0, sizeof d);
    d.port_id = port;
    d.type = XSW_NIC_SYNTHETIC;
    memcpy(d.mac, lm_mac, 6);
    d.vm_name = "lm-vm";
    int64_t st = xsw_nic_create(sw, &d);
    if (st == NDIS_STATUS_SUCCESS)
        st = xsw_nic_connect(sw, port, 0);
    return st < 0 ? (int)st : 0;
}

/* A few frames between the migrating VM and the gateway behind the external port. */
static int lm_traffic(struct xsw_switch *sw, uint32_t port, uint32_t seed)
{
    static uint8_t fb[4][256];
    struct xsw_frame f[4];
    f[0].data = fb[0];
    f[0].len = xsw_build_arp(fb[0], lm_mac, 0x0A000064u, 0x0A000001u);
    f[1].data = fb[1];
    f[1].len = xsw_build_udp(fb[1], 120, gw_mac, lm_mac, 0x0A000064u, 0x08080808u, 0, seed);
    int r = xsw_switch_send(sw, port, 0, f, 2);
    if (r < 0)
        return r;
    f[2].data = fb[2];
    f[2].len = xsw_build_udp(fb[2], 120, lm_mac, gw_mac, 0x08080808u, 0x0A000064u, 0, seed + 1);
    r = xsw_switch_send(sw, 1, 1, f + 2, 1);
    return r < 0 ? r : 0;
}

static int blobs_pack(const struct xsw_saved_nic *s, uint8_t **out, uint32_t *len)
{
    uint32_t n = 4;
    for (unsigned i = 0; i < s->n; i++)
        n += 4 + s->blob[i].len;
    uint8_t *b = malloc(n);
    if (!b)
        return XSW_ENOMEM;
    memcpy(b, &s->n, 4);
    uint32_t o = 4;
    for (unsigned i = 0; i < s->n; i++) {
        memcpy(b + o, &s->blob[i].len, 4);
        memcpy(b + o + 4, s->blob[i].bytes, s->blob[i].len);
        o += 4 + s->blob[i].len;
    }
    *out = b;
    *len = n;
    return 0;
}

/* Unpack what the source sent: every length is checked against the message. */
static int blobs_unpack(const uint8_t *b, uint32_t len, struct xsw_saved_nic *s)
{
    memset(s, 0, sizeof *s);
    uint32_t n, o = 4;
    if (len < 4)
        return XSW_EINVAL;
    memcpy(&n, b, 4);
    if (n > XSW_MAX_SAVE_BLOBS)
        return XSW_ELIMIT;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t l;
        if (len - o < 4)
            return XSW_EINVAL;
        memcpy(&l, b + o, 4);
        if (l > len - o - 4 || l > 65536)
            return XSW_EINVAL;
        s->blob[i].bytes = malloc(l ? l : 1);
        if (!s->blob[i].bytes)
            return XSW_ENOMEM;
        memcpy(s->blob[i].bytes, b + o + 4, l);
        s->blob[i].len = l;
        s->n = i + 1;
        o += 4 + l;
    }
    return 0;
}

static int run_source(struct xsw_switch *sw, int fd, const struct xsw_scenario_params *p)
{
    int r = host_start(sw);
    if (r)
        goto fail;
    int64_t st = xsw_port_create(sw, LM_VM_PORT, XSW_PORT_SYNTHETIC, "lm-vm", 0);
    if (st < 0 || (st == NDIS_STATUS_SUCCESS && (r = provision_policies(sw, LM_VM_PORT, 0)) != 0) ||
        (st == NDIS_STATUS_SUCCESS && (r = vm_nic_up(sw, LM_VM_PORT)) != 0)) {
        r = st < 0 ? (int)st : r;
        goto fail;
    }
    if (st == NDIS_STATUS_SUCCESS && (r = lm_traffic(sw, LM_VM_PORT, p->seed)) != 0)
        goto fail;
    /* Wait until the destination has validated and created the operational port. */
    if ((r = recv_msg(sw, fd, LM_READY, NULL, NULL)) != 0)
        goto fail;
    struct xsw_saved_nic saved;
    memset(&saved, 0, sizeof saved);
    if (st == NDIS_STATUS_SUCCESS) {
        int64_t s2 = xsw_nic_save(sw, LM_VM_PORT, 0, &saved);
        if (s2 < 0) {
            r = (int)s2;
            goto fail;
        }
        /* Source teardown: NIC_DISCONNECT, NIC_DELETE, PORT_TEARDOWN, PORT_DELETE. */
        if ((s2 = xsw_nic_disconnect(sw, LM_VM_PORT, 0)) < 0 || (s2 = xsw_nic_delete(sw, LM_VM_PORT, 0)) < 0 ||
            (s2 = xsw_port_teardown(sw, LM_VM_PORT)) < 0 || (s2 = xsw_port_delete(sw, LM_VM_PORT)) < 0) {
            xsw_saved_nic_free(&saved);
            r = (int)s2;
            goto fail;
        }
    }
    uint8_t *msg = NULL;
    uint32_t len = 0;
    r = blobs_pack(&saved, &msg, &len);
    xsw_saved_nic_free(&saved);
    if (r || send_msg(fd, LM_BLOBS, msg, len)) {
        free(msg);
        snprintf(sw->err, sizeof sw->err, "live migration: cannot send the saved state to the destination");
        return r ? r : XSW_EIO;
    }
    free(msg);
    if ((r = recv_msg(sw, fd, LM_DONE, NULL, NULL)) != 0)
        return r;
    return xsw_scenario_host_stop(sw);
fail:
    send_msg(fd, LM_FAIL, NULL, 0);
    return r ? r : XSW_EINVAL;
}

static int run_destination(struct xsw_switch *sw, int fd, const struct xsw_scenario_params *p)
{
    int r = host_start(sw);
    if (r)
        goto fail;
    /* (1) The validation port gets the policies; nothing may be reserved for it. */
    int64_t st = xsw_port_create(sw, LM_VM_PORT, XSW_PORT_SYNTHETIC, "lm-vm", 1);
    if (st < 0) {
        r = (int)st;
        goto fail;
    }
    if (st == NDIS_STATUS_SUCCESS) {
        if ((r = provision_policies(sw, LM_VM_PORT, 0)) != 0)
            goto fail;
        if ((st = xsw_port_teardown(sw, LM_VM_PORT)) < 0 || (st = xsw_port_delete(sw, LM_VM_PORT)) < 0) {
            r = (int)st;
            goto fail;
        }
    }
    /* (2) The operational port, with the same parameters, and its policies. */
    st = xsw_port_create(sw, LM_VM_PORT, XSW_PORT_SYNTHETIC, "lm-vm", 0);
    if (st < 0) {
        r = (int)st;
        goto fail;
    }
    int port_ok = st == NDIS_STATUS_SUCCESS;
    if (port_ok && (r = provision_policies(sw, LM_VM_PORT, 1)) != 0)
        goto fail;
    if (send_msg(fd, LM_READY, NULL, 0)) {
        snprintf(sw->err, sizeof sw->err, "live migration: the source host went away");
        return XSW_EIO;
    }
    uint8_t *msg = NULL;
    uint32_t len = 0;
    if ((r = recv_msg(sw, fd, LM_BLOBS, &msg, &len)) != 0)
        return r;
    struct xsw_saved_nic saved;
    r = blobs_unpack(msg, len, &saved);
    free(msg);
    if (r) {
        xsw_saved_nic_free(&saved);
        snprintf(sw->err, sizeof sw->err, "live migration: the saved state from the source does not parse");
        goto fail;
    }
    /* The source also ran an extension that is not installed here: its blob reaches the
     * destination's extensions too, which must pass it down untouched. */
    if ((r = xsw_saved_nic_add_foreign(&saved)) != 0) {
        xsw_saved_nic_free(&saved);
        snprintf(sw->err, sizeof sw->err, "live migration: more than %d saved blobs", XSW_MAX_SAVE_BLOBS);
        goto fail;
    }
    if (port_ok) {
        /* (5) NIC connection, then the run-time data of every extension on the source. */
        if ((r = vm_nic_up(sw, LM_VM_PORT)) == 0) {
            int64_t s2 = xsw_nic_restore(sw, LM_VM_PORT, 0, &saved);
            if (s2 < 0)
                r = (int)s2;
        }
        if (!r)
            r = lm_traffic(sw, LM_VM_PORT, p->seed + 10);
        if (!r) {
            /* The vendor's policy is withdrawn before the VM stops. */
            int64_t s3 = port_property_delete(sw, LM_VM_PORT, NdisSwitchPortPropertyTypeCustom);
            if (s3 < 0)
                r = (int)s3;
        }
    }
    xsw_saved_nic_free(&saved);
    if (r)
        goto fail;
    send_msg(fd, LM_DONE, NULL, 0);
    return xsw_scenario_host_stop(sw);
fail:
    send_msg(fd, LM_FAIL, NULL, 0);
    return r ? r : XSW_EINVAL;
}

/* A hung extension (busy-wait without progress) ends the host's part here, as in xsw_scenario_run. */
static int guarded(struct xsw_switch *sw, int fd, const struct xsw_scenario_params *p,
                   int (*part)(struct xsw_switch *, int, const struct xsw_scenario_params *))
{
    if (setjmp(sw->abort_jmp)) {
        xsw_rt_set_actor(XSW_ACTOR_SWITCH);
        xsw_rt_set_irql(XSW_PASSIVE_LEVEL);
        send_msg(fd, LM_FAIL, NULL, 0);
        xsw_switch_final_checks(sw);
        return XSW_ETRUNC;
    }
    sw->abort_armed = 1;
    int r = part(sw, fd, p);
    sw->abort_armed = 0;
    return r;
}

int xsw_live_migration_source(struct xsw_switch *sw, int fd, const struct xsw_scenario_params *p)
{
    return guarded(sw, fd, p, run_source);
}

int xsw_live_migration_destination(struct xsw_switch *sw, int fd, const struct xsw_scenario_params *p)
{
    return guarded(sw, fd, p, run_destination);
}

int xsw_live_migration_run(const struct xsw_switch_config *src_cfg, const struct xsw_switch_config *dst_cfg,
                           const struct xsw_scenario_params *p, struct xsw_lm_result *res, char *err, size_t errlen)
{
    struct xsw_lm_result dummy;
    if (!res)
        res = &dummy;
    memset(res, 0, sizeof *res);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        return XSW_EIO;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return XSW_EIO;
    }
    if (pid == 0) {
        close(sv[0]);
        char e[XSW_ERRBUF_SIZE];
        struct xsw_switch *dst = xsw_switch_new(dst_cfg, e, sizeof e);
        int r = dst ? xsw_live_migration_destination(dst, sv[1], p) : XSW_EINVAL;
        if (r && dst)
            fprintf(stderr, "xsw: destination host: %s\n", xsw_switch_error(dst));
        else if (!dst)
            fprintf(stderr, "xsw: destination host: %s\n", e);
        unsigned findings = dst ? xsw_switch_findings(dst, 0) : 0;
        uint64_t records = dst ? xsw_switch_records(dst) : 0;
        xsw_switch_free(dst);
        /* The source reports both hosts' findings. */
        if (write_all(sv[1], &findings, sizeof findings) || write_all(sv[1], &records, sizeof records))
            findings = 1;
        fflush(NULL);
        _exit(r ? 2 : findings ? 1 : 0);
    }
    close(sv[1]);
    struct xsw_switch *src = xsw_switch_new(src_cfg, err, errlen);
    int r = src ? xsw_live_migration_source(src, sv[0], p) : XSW_EINVAL;
    if (r && src)
        snprintf(err, errlen, "source host: %s", xsw_switch_error(src));
    unsigned findings = src ? xsw_switch_findings(src, 0) : 0;
    res->src_records = src ? xsw_switch_records(src) : 0;
    xsw_switch_free(src);
    unsigned dst_findings = 0;
    if (read_all(sv[0], &dst_findings, sizeof dst_findings) == 0) {
        findings += dst_findings;
        if (read_all(sv[0], &res->dst_records, sizeof res->dst_records))
            res->dst_records = 0;
    }
    close(sv[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!r && (!WIFEXITED(status) || WEXITSTATUS(status) == 2)) {
        snprintf(err, errlen, "destination host %s", WIFSIGNALED(status) ? "crashed" : "could not finish");
        r = XSW_EIO;
    }
    res->findings = findings;
    if (r)
        return r;
    return (findings || WEXITSTATUS(status) == 1) ? 1 : 0;
}
