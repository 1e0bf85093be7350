/* plan_check_main.c: the tender's plan_check on a plan file, for tests. */
/*
 * Usage: plan-check FILE. Prints "accepted: N devices" or "refused: MSG"
 * and exits 0 either way (1 only when the file cannot be read). The plan is
 * checked as if the tender had found it at descriptor 3, as spawnTender
 * hands it over; nothing else of the tender runs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "msg.h"
#include "../../../tenders/spt/plan_read.h"

#define PLAN_FD 3

int main(int argc, char **argv)
{
    static uint8_t buf[NABLA_PLAN_MAX_SIZE] __attribute__((aligned(8)));
    char msg[NABLA_MSG_SIZE];
    struct plan plan;
    FILE *f;
    size_t n;

    if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) {
        fprintf(stderr, "usage: plan-check FILE (a readable plan)\n");
        return 1;
    }
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (plan_check(buf, n, PLAN_FD, &plan, msg, sizeof msg) != 0)
        printf("refused: %s\n", msg);
    else
        printf("accepted: %u devices\n", plan.hdr->device_count);
    return 0;
}
