/* A notify-aware daemon for tests/integration/notify.sh, built static into the busybox
 * rootfs. Each argument is a step, in order:
 *   sleep:MS            wait MS milliseconds
 *   every:MS:N:MESSAGE  send MESSAGE N times, MS milliseconds apart
 *   fd:MESSAGE          send MESSAGE with an fd (stdin) attached (SCM_RIGHTS)
 *   big                 send a datagram of 8000 bytes (STATUS=xxx...)
 *   exit:N              exit with status N
 *   wait                block until SIGTERM (then exit 0)
 *   anything else       send it as one datagram to $NOTIFY_SOCKET
 * Exits 2 when $NOTIFY_SOCKET is unset or a send fails. */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int sock = -1;
static struct sockaddr_un addr;
static socklen_t addr_len;

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) < 0) {
  }
}

static void send_text(const char *text, int with_fd) {
  struct iovec iov = {(void *)text, strlen(text)};
  struct msghdr msg = {0};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  msg.msg_name = &addr;
  msg.msg_namelen = addr_len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (with_fd) {
    int fd = 0;
    memset(&control, 0, sizeof control);
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
    perror("notify_client: sendmsg");
    exit(2);
  }
}

static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

int main(int argc, char **argv) {
  const char *path = getenv("NOTIFY_SOCKET");
  signal(SIGTERM, on_term);
  if (path == NULL || path[0] != '/' || strlen(path) >= sizeof addr.sun_path) {
    fprintf(stderr, "notify_client: no usable NOTIFY_SOCKET\n");
    return 2;
  }
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path, path);
  addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
  sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return 2;
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (strncmp(a, "sleep:", 6) == 0) {
      sleep_ms(atol(a + 6));
    } else if (strncmp(a, "every:", 6) == 0) {
      char *end;
      long ms = strtol(a + 6, &end, 10);
      long n = strtol(end + 1, &end, 10);
      for (long k = 0; k < n; ++k) {
        send_text(end + 1, 0);
        sleep_ms(ms);
      }
    } else if (strncmp(a, "fd:", 3) == 0) {
      send_text(a + 3, 1);
    } else if (strcmp(a, "big") == 0) {
      static char big[8001];
      memset(big, 'x', 8000);
      memcpy(big, "STATUS=", 7);
      send_text(big, 0);
    } else if (strncmp(a, "exit:", 5) == 0) {
      return atoi(a + 5);
    } else if (strcmp(a, "wait") == 0) {
      for (;;)
        pause();
    } else {
      send_text(a, 0);
    }
  }
  return 0;
}
