/*
 * unit_main.c - the one main() of the unit test programs: runs the suites the program gives
 * (unit_suites()) and exits 0 when every check passed, 1 when one failed, 77 to be skipped.
 */
#include <stdlib.h>

#include "unit.h"

int main(void)
{
    SRunner *runner = srunner_create(NULL);
    int failed;

    if (unit_suites(runner) == UNIT_SKIP) {
        srunner_free(runner);
        return UNIT_SKIP;
    }
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
