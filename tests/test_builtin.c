/*
 * test_builtin.c - the built-in rules of xsw-suite (suite/builtin.c): the
 * guest NVSP rules of analyzer/nvsp.c registered in a spec next to the YAML
 * rules (xsw_spec_add_builtin), and judged over VMBUS records with their
 * violations reported as the checker reports its own, under the rule's index
 * in the spec (docs/spec-format.md "Built-in rules").
 *
 * VMBus packets are built byte by byte as the harness writes them: a 16-byte
 * descriptor (type, offset8 = 2, len8, flags, trans_id) and the NVSP message
 * (vmbus-nvsp-rndis.md §1.1, §2.5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "unit.h"
#include "xsw/check.h"
#include "xsw/vmbus.h"

static struct xsw_spec *load_with_builtins(size_t *yaml_rules)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_spec *s = xsw_spec_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL_FATAL(xsw_spec_load_dir(s, "suite/specs", err, sizeof err), 0);
    *yaml_rules = xsw_spec_rule_count(s);
    CU_ASSERT_EQUAL_FATAL(xsw_builtin_register(s, err, sizeof err), 0);
    return s;
}

XSW_SUITE(builtin, NULL, NULL)

XSW_TEST(builtin, nvsp_rules_are_registered_after_the_yaml_rules)
{
    size_t yaml;
    struct xsw_spec *s = load_with_builtins(&yaml);
    CU_ASSERT_EQUAL(xsw_spec_rule_count(s), yaml + 12); /* XSW-NVSP-001 .. 012 */
    for (size_t i = 0; i < xsw_spec_rule_count(s); i++) {
        const struct xsw_rule_info *r = xsw_spec_rule(s, i);
        CU_ASSERT_EQUAL(r->builtin, i >= yaml);
        if (i >= yaml) {
            CU_ASSERT_STRING_EQUAL(r->file, "built-in (analyzer/nvsp_rules.def)");
            CU_ASSERT_STRING_EQUAL(r->classes, "guest");
            CU_ASSERT_EQUAL(r->line, 0);
            CU_ASSERT(strncmp(r->id, "XSW-NVSP-", 9) == 0);
            CU_ASSERT(r->text[0] != 0 && r->source[0] != 0);
        }
    }
    CU_ASSERT_EQUAL(xsw_spec_find(s, "XSW-NVSP-006"), (long)yaml + 5);
    CU_ASSERT_EQUAL(xsw_spec_rule(s, yaml + 5)->level, XSW_LEVEL_MUST);
    CU_ASSERT_EQUAL(xsw_spec_rule(s, yaml + 6)->level, XSW_LEVEL_SHOULD);
    /* Registering twice collides with the rules already there. */
    char err[XSW_ERRBUF_SIZE];
    CU_ASSERT_EQUAL(xsw_builtin_register(s, err, sizeof err), XSW_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "duplicate rule id 'XSW-NVSP-001'"));
    xsw_spec_free(s);
}

XSW_TEST(builtin, add_builtin_checks_its_arguments)
{
    char err[XSW_ERRBUF_SIZE];
    struct xsw_spec *s = xsw_spec_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct xsw_rule_info ok = {.id = "XSW-TEST-001", .level = XSW_LEVEL_SHOULD, .text = "text", .source = "source",
                               .classes = "guest", .file = "test.c"};
    CU_ASSERT_EQUAL(xsw_spec_add_builtin(s, &ok, err, sizeof err), 0);
    CU_ASSERT_EQUAL(xsw_spec_rule(s, 0)->builtin, 1);
    struct xsw_rule_info bad = ok;
    bad.id = "XSW-TEST-1";
    CU_ASSERT_EQUAL(xsw_spec_add_builtin(s, &bad, err, sizeof err), XSW_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "XSW-AREA-123"));
    bad = ok;
    bad.id = "XSW-TEST-002";
    bad.text = NULL;
    CU_ASSERT_EQUAL(xsw_spec_add_builtin(s, &bad, err, sizeof err), XSW_EINVAL);
    bad = ok;
    bad.id = "XSW-TEST-003";
    bad.level = (enum xsw_level)7;
    CU_ASSERT_EQUAL(xsw_spec_add_builtin(s, &bad, err, sizeof err), XSW_EINVAL);
    CU_ASSERT_EQUAL(xsw_spec_add_builtin(s, &ok, err, sizeof err), XSW_EINVAL);
    CU_ASSERT_EQUAL(xsw_spec_rule_count(s), 1);
    /* A checker over a spec with a rule without condition evaluates nothing for it. */
    struct xsw_checker *c = xsw_checker_new(s, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(xsw_checker_finish(c), 0);
    uint64_t ev = 1, vi = 1;
    xsw_checker_rule_counts(c, 0, &ev, &vi);
    CU_ASSERT_EQUAL(ev, 0);
    CU_ASSERT_EQUAL(vi, 0);
    xsw_checker_free(c);
    xsw_spec_free(s);
}

struct fired {
    long rule[8];
    uint64_t frame[8];
    int ext[8], at_end[8];
    char id[8][32], object[8][160], actual[8][512];
    unsigned n;
};

static void on_violation(void *arg, const struct xsw_violation *v)
{
    struct fired *f = arg;
    if (f->n == 8)
        return;
    CU_ASSERT_PTR_NOT_NULL_FATAL(v->rule);
    snprintf(f->id[f->n], sizeof f->id[0], "%s", v->rule->id);
    f->rule[f->n] = (long)v->rule_index;
    f->frame[f->n] = v->frame;
    f->ext[f->n] = v->ext;
    f->at_end[f->n] = v->at_end;
    snprintf(f->object[f->n], sizeof f->object[0], "%s", v->object);
    snprintf(f->actual[f->n], sizeof f->actual[0], "%s", v->actual);
    f->n++;
}

/* A VMBUS record of VM NIC 7/0 carrying one in-band NVSP message "type" with the u32 fields "a".."c". */
static void vmbus_rec(struct xsw_rec *r, uint8_t *pkt, int host_to_guest, uint32_t type, uint32_t a, uint32_t b,
                      uint32_t c, uint64_t seq)
{
    memset(pkt, 0, 32);
    uint16_t t = XSW_VM_PKT_DATA_INBAND, off8 = 2, len8 = 4;
    memcpy(pkt, &t, 2);
    memcpy(pkt + 2, &off8, 2);
    memcpy(pkt + 4, &len8, 2);
    uint32_t body[4] = {type, a, b, c};
    memcpy(pkt + 16, body, sizeof body);
    memset(r, 0, sizeof *r);
    r->version = XSW_TRACE_VERSION;
    r->kind = XSW_K_VMBUS;
    r->point = XSW_POINT_VMBUS;
    r->actor = XSW_ACTOR_SWITCH;
    r->depth = 1;
    r->seq = seq;
    r->port_id = 7;
    r->nic_index = 0;
    r->u.vmbus.channel = 7;
    r->u.vmbus.dir = (uint8_t)host_to_guest;
    r->u.vmbus.pkt = pkt;
    r->u.vmbus.pkt_len = 32;
}

XSW_TEST(builtin, nvsp_violation_reported_under_its_spec_index)
{
    size_t yaml;
    struct xsw_spec *s = load_with_builtins(&yaml);
    struct fired f;
    memset(&f, 0, sizeof f);
    struct xsw_builtin *b = xsw_builtin_new(s, on_violation, &f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    uint8_t pkt[32];
    struct xsw_rec r;
    /* Records other than VMBUS are not the built-in rules' business. */
    memset(&r, 0, sizeof r);
    r.kind = XSW_K_FILTER_STATE;
    xsw_builtin_feed(b, &r, 1);
    /* Negotiation, then a switch to the VF although the host never associated one (XSW-NVSP-006). */
    vmbus_rec(&r, pkt, 0, XSW_NVSP_MSG_TYPE_INIT, 0x60001, 0x60001, 0, 2);
    xsw_builtin_feed(b, &r, 2);
    vmbus_rec(&r, pkt, 1, XSW_NVSP_MSG_TYPE_INIT_COMPLETE, 0x60001, 0, 1, 3);
    xsw_builtin_feed(b, &r, 3);
    vmbus_rec(&r, pkt, 0, XSW_NVSP_MSG4_TYPE_SWITCH_DATA_PATH, 1, 0, 0, 4);
    xsw_builtin_feed(b, &r, 4);
    CU_ASSERT_EQUAL_FATAL(f.n, 1);
    CU_ASSERT_EQUAL(f.rule[0], xsw_spec_find(s, "XSW-NVSP-006"));
    CU_ASSERT_STRING_EQUAL(f.id[0], "XSW-NVSP-006");
    CU_ASSERT_EQUAL(f.frame[0], 4);
    CU_ASSERT_EQUAL(f.ext[0], -1);
    CU_ASSERT_EQUAL(f.at_end[0], 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.object[0], "port 7 nic 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f.actual[0], "no SEND_VF_ASSOCIATION"));
    /* A second device whose INIT is never answered: XSW-NVSP-009 (SHOULD) at the end of the case. */
    vmbus_rec(&r, pkt, 0, XSW_NVSP_MSG_TYPE_INIT, 0x60001, 0x60001, 0, 5);
    r.port_id = 8;
    xsw_builtin_feed(b, &r, 5);
    xsw_builtin_finish(b, 9);
    CU_ASSERT_EQUAL_FATAL(f.n, 2);
    CU_ASSERT_EQUAL(f.rule[1], xsw_spec_find(s, "XSW-NVSP-009"));
    CU_ASSERT_EQUAL(f.frame[1], 9);
    CU_ASSERT_EQUAL(f.at_end[1], 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.object[1], "port 8 nic 0"));
    xsw_builtin_free(b);
    xsw_builtin_free(NULL);
    xsw_spec_free(s);
}

XSW_TEST(builtin, unregistered_rules_are_not_reported)
{
    /* A spec without the built-in rules: nothing to report a violation under, so nothing is reported. */
    char err[XSW_ERRBUF_SIZE];
    struct xsw_spec *s = xsw_spec_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL_FATAL(xsw_spec_load_dir(s, "suite/specs", err, sizeof err), 0);
    struct fired f;
    memset(&f, 0, sizeof f);
    struct xsw_builtin *b = xsw_builtin_new(s, on_violation, &f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    uint8_t pkt[32];
    struct xsw_rec r;
    vmbus_rec(&r, pkt, 0, XSW_NVSP_MSG4_TYPE_SWITCH_DATA_PATH, 1, 0, 0, 1);
    xsw_builtin_feed(b, &r, 1);
    xsw_builtin_finish(b, 1);
    CU_ASSERT_EQUAL(f.n, 0);
    xsw_builtin_free(b);
    xsw_spec_free(s);
}
