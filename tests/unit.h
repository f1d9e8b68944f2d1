/*
 * unit.h - self-registering CUnit suites.
 *
 * A test file declares its suite with XSW_SUITE(name, init, cleanup) and its
 * tests with XSW_TEST(suite, name); constructors register them with the one
 * runner (tests/unit_main.c), so adding a test file needs no shared edit.
 */
#ifndef XSW_UNIT_H
#define XSW_UNIT_H

#include <CUnit/CUnit.h>

void xsw_unit_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean);
void xsw_unit_add_test(const char *suite, const char *name, CU_TestFunc fn);

#define XSW_SUITE(sname, init, clean)                                              \
    __attribute__((constructor(101))) static void xsw_suite_reg_##sname(void)     \
    {                                                                              \
        xsw_unit_add_suite(#sname, init, clean);                                   \
    }

#define XSW_TEST(sname, tname)                                                     \
    static void test_##sname##_##tname(void);                                      \
    __attribute__((constructor(102))) static void xsw_test_reg_##sname##_##tname(void) \
    {                                                                              \
        xsw_unit_add_test(#sname, #tname, test_##sname##_##tname);                 \
    }                                                                              \
    static void test_##sname##_##tname(void)

#endif
