/*
 * unit_main.c - the CUnit runner for every unit suite (Basic interface,
 * verbose, run summary printed). Exits non-zero when any test failed, since
 * CUnit itself does not. Usage: xsw-unit [SUITE...] runs only those suites.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "unit.h"

#define MAX_SUITES 128
#define MAX_TESTS 2048

static struct {
    const char *name;
    CU_InitializeFunc init;
    CU_CleanupFunc clean;
} suites[MAX_SUITES];
static unsigned nsuites;

static struct {
    const char *suite, *name;
    CU_TestFunc fn;
} tests[MAX_TESTS];
static unsigned ntests;

void xsw_unit_add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean)
{
    if (nsuites == MAX_SUITES) {
        fprintf(stderr, "xsw-unit: too many suites (raise MAX_SUITES)\n");
        abort();
    }
    suites[nsuites].name = name;
    suites[nsuites].init = init;
    suites[nsuites].clean = clean;
    nsuites++;
}

void xsw_unit_add_test(const char *suite, const char *name, CU_TestFunc fn)
{
    if (ntests == MAX_TESTS) {
        fprintf(stderr, "xsw-unit: too many tests (raise MAX_TESTS)\n");
        abort();
    }
    tests[ntests].suite = suite;
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    ntests++;
}

static int wanted(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (unsigned s = 0; s < nsuites; s++) {
        if (!wanted(suites[s].name, argc, argv))
            continue;
        CU_pSuite cs = CU_add_suite(suites[s].name, suites[s].init, suites[s].clean);
        if (!cs) {
            fprintf(stderr, "xsw-unit: cannot add suite %s\n", suites[s].name);
            return 2;
        }
        for (unsigned t = 0; t < ntests; t++)
            if (strcmp(tests[t].suite, suites[s].name) == 0)
                CU_add_test(cs, tests[t].name, tests[t].fn);
    }
    for (unsigned t = 0; t < ntests; t++) {
        int found = 0;
        for (unsigned s = 0; s < nsuites; s++)
            found |= strcmp(tests[t].suite, suites[s].name) == 0;
        if (!found) {
            fprintf(stderr, "xsw-unit: test %s names unknown suite %s\n", tests[t].name, tests[t].suite);
            return 2;
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
