/* devices.h: the guest's descriptor table: devices, epoll set, timerfd. */
#ifndef NABLA_DEVICES_H
#define NABLA_DEVICES_H

#include "plan_read.h"

/*
 * Moves every device from its source_fd to its host_fd, after its kind's
 * check_take (device.h; a net device must be a tap), closes the plan
 * descriptor, and closes every descriptor that is not 0, 1, 2 or a device.
 * Exits on failure.
 */
void devices_map(const struct plan *plan, int plan_fd);

/*
 * Creates the epoll set and the timerfd at the plan's numbers, registers the
 * timerfd and every device whose kind is polled (device.h; net devices), and
 * makes the console descriptors blocking. Exits on failure. Call after
 * devices_map.
 */
void devices_events(const struct plan *plan);

#endif /* NABLA_DEVICES_H */
