/* stdlib.h: the standard header lwIP includes, answered by the SDK's libc
 * (guests only). */
#include "nabla_lib.h"
