/*
 * A link of a given bandwidth and one-way delay between two network namespaces, for kernels without netem.
 *
 *   delay-line <nsA> <nsB> <dev> <mbps> <one-way delay ms> <queue bytes>
 *
 * Opens a tun device named <dev> inside each namespace (setns, then TUNSETIFF) and forwards IP packets between
 * them. Each direction is a FIFO: a packet arriving at t starts serializing at max(t, link free), takes
 * len × 8 / rate, and is written to the other side one-way-delay after it finished serializing. A packet that
 * would push the queue past <queue bytes> is dropped (tail drop). Prints "ready" once both devices exist and
 * runs until SIGTERM/SIGINT, then prints the forwarded/dropped counts. Compiled on demand by src/netlab/build.ts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 16384
#define MAXPKT 2048

typedef struct {
  uint16_t len;
  int64_t deliver_ns;
  unsigned char data[MAXPKT];
} packet;

typedef struct {
  packet *ring;
  unsigned head, tail; /* head: next to deliver, tail: next free */
  int64_t link_free_ns;
  int64_t queued_bytes;
  unsigned long forwarded, dropped;
} direction;

static volatile sig_atomic_t stop = 0;
static void on_signal(int sig) { (void)sig; stop = 1; }

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int open_tun_in(const char *ns, const char *dev) {
  char path[512];
  snprintf(path, sizeof path, "/var/run/netns/%s", ns);
  int nsfd = open(path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) { fprintf(stderr, "open %s: %s\n", path, strerror(errno)); exit(2); }
  if (setns(nsfd, CLONE_NEWNET) < 0) { fprintf(stderr, "setns %s: %s\n", ns, strerror(errno)); exit(2); }
  close(nsfd);
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) { fprintf(stderr, "open /dev/net/tun: %s\n", strerror(errno)); exit(2); }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) { fprintf(stderr, "TUNSETIFF %s in %s: %s\n", dev, ns, strerror(errno)); exit(2); }
  return fd;
}

/* Reads every packet waiting on `fd` into `d`'s queue, stamping when it will reach the other end. */
static void take(int fd, direction *d, double ns_per_byte, int64_t delay_ns, int64_t queue_limit) {
  for (;;) {
    unsigned next = (d->tail + 1) % SLOTS;
    packet scratch;
    packet *p = next == d->head ? &scratch : &d->ring[d->tail];
    ssize_t n = read(fd, p->data, MAXPKT);
    if (n <= 0) return;
    int64_t t = now_ns();
    int64_t start = d->link_free_ns > t ? d->link_free_ns : t;
    int64_t backlog = (int64_t)((start - t) / ns_per_byte);
    if (p == &scratch || backlog + n > queue_limit) { d->dropped++; continue; }
    p->len = (uint16_t)n;
    d->link_free_ns = start + (int64_t)(n * ns_per_byte);
    p->deliver_ns = d->link_free_ns + delay_ns;
    d->tail = next;
  }
}

/* Writes the packets whose time has come; returns ns until the next one is due (or -1 when empty). */
static int64_t give(int fd, direction *d) {
  int64_t t = now_ns();
  while (d->head != d->tail) {
    packet *p = &d->ring[d->head];
    if (p->deliver_ns > t) return p->deliver_ns - t;
    if (write(fd, p->data, p->len) < 0 && errno == EAGAIN) return 20000; /* the receiving tun is full: retry soon */
    d->forwarded++;
    d->head = (d->head + 1) % SLOTS;
  }
  return -1;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s <nsA> <nsB> <dev> <mbps> <one-way delay ms> <queue bytes>\n", argv[0]);
    return 1;
  }
  double mbps = atof(argv[4]);
  double delay_ms = atof(argv[5]);
  int64_t queue_limit = atoll(argv[6]);
  if (!(mbps > 0) || !(delay_ms >= 0) || queue_limit <= 0) { fprintf(stderr, "mbps must be > 0, delay >= 0, queue > 0\n"); return 1; }
  double ns_per_byte = 8.0 * 1e9 / (mbps * 1e6);
  int64_t delay_ns = (int64_t)(delay_ms * 1e6);

  int fa = open_tun_in(argv[1], argv[3]);
  int fb = open_tun_in(argv[2], argv[3]);
  direction ab = {0}, ba = {0};
  ab.ring = calloc(SLOTS, sizeof(packet));
  ba.ring = calloc(SLOTS, sizeof(packet));
  if (!ab.ring || !ba.ring) { fprintf(stderr, "out of memory\n"); return 2; }
  /* Real-time priority where allowed: on a busy machine a descheduled delay line would add its own delay. */
  struct sched_param sp = {.sched_priority = 50};
  sched_setscheduler(0, SCHED_FIFO, &sp);
  prctl(PR_SET_TIMERSLACK, 1UL);
  prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the lab that started it */ /* wake on time: the default 50 µs slack would blur sub-ms delays */
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  printf("ready\n");
  fflush(stdout);

  struct pollfd fds[2] = {{.fd = fa, .events = POLLIN}, {.fd = fb, .events = POLLIN}};
  while (!stop) {
    int64_t wa = give(fb, &ab);
    int64_t wb = give(fa, &ba);
    int64_t wait = wa < 0 ? wb : (wb < 0 ? wa : (wa < wb ? wa : wb));
    struct timespec ts, *tsp = NULL;
    if (wait < 0) wait = 100000000; /* nothing queued: wake up now and then to see SIGTERM */
    ts.tv_sec = wait / 1000000000LL;
    ts.tv_nsec = wait % 1000000000LL;
    tsp = &ts;
    int r = ppoll(fds, 2, tsp, NULL);
    if (r < 0 && errno != EINTR) { perror("ppoll"); return 2; }
    if (r > 0) {
      if (fds[0].revents & POLLIN) take(fa, &ab, ns_per_byte, delay_ns, queue_limit);
      if (fds[1].revents & POLLIN) take(fb, &ba, ns_per_byte, delay_ns, queue_limit);
    }
  }
  printf("forwarded %lu %lu dropped %lu %lu\n", ab.forwarded, ba.forwarded, ab.dropped, ba.dropped);
  return 0;
}
