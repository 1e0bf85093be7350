/* unique_fd.h: owns one file descriptor and closes it on every exit path. */
#ifndef NABLA_NATIVE_UNIQUE_FD_H
#define NABLA_NATIVE_UNIQUE_FD_H

#include <unistd.h>

namespace nabla
{

class UniqueFd
{
  public:
    explicit UniqueFd(int fd) : fd_(fd)
    {
    }
    ~UniqueFd()
    {
        if (fd_ >= 0)
            close(fd_);
    }
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;

    int get() const
    {
        return fd_;
    }
    // Hands the descriptor to the caller (here: to JavaScript), which now
    // owns it; the guard no longer closes it.
    int release()
    {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

  private:
    int fd_;
};

} // namespace nabla

#endif
