/* net2if.c: examples/ping built with a manifest of two network devices. */
/*
 * Upstream's net_2if test serves ping on two interfaces at once. ping.c
 * serves every device named on its command line, so the same program with
 * this directory's manifest (service0, service1) is that test's guest:
 *   net2if.nabla service0=10.0.0.2 service1=10.1.0.2 --limit=N
 */
#include "../../../../examples/ping/ping.c"
