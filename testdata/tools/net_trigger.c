// The process the tcpconnect, bindsnoop and capable twin tests trace: it prepares what it needs, prints one line
// ("ready ..."), waits for a line on stdin (both tools attached by then), does the work and prints what it got, so
// the test can check the tools' lines against what the kernel told this process.
//   net_trigger connect   listeners on 127.0.0.1 and ::1 first; then one connect() to each ("done PORT4 PORT6")
//   net_trigger bind [PORT]  TCP/IPv4 (on PORT, or one the kernel picks) with SO_REUSEADDR, UDP/IPv6 with SO_REUSEPORT and IP_FREEBIND, TCP/IPv4 with
//                         IP_TRANSPARENT and IP_BIND_ADDRESS_NO_PORT, a Unix socket, and a second bind to the first
//                         port that fails with EADDRINUSE ("done PORT4 PORT6 ERRNO")
//   net_trigger capable   lowers its nice value (CAP_SYS_NICE, allowed), drops CAP_SYS_NICE from its effective set
//                         and tries again (denied) ("done RESULT1 RESULT2")
#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static void wait_for_go(void)
{
	char line[16];
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		exit(3);
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int listener(int family)
{
	int fd = socket(family, SOCK_STREAM, 0);
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	if (fd < 0 || (family == AF_INET ? bind(fd, (struct sockaddr *)&a4, sizeof(a4)) : bind(fd, (struct sockaddr *)&a6, sizeof(a6))) || listen(fd, 8))
		exit(4);
	return fd;
}

static void connect_to(int family, int port)
{
	int fd = socket(family, SOCK_STREAM, 0);
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	if (fd < 0 || (family == AF_INET ? connect(fd, (struct sockaddr *)&a4, sizeof(a4)) : connect(fd, (struct sockaddr *)&a6, sizeof(a6))))
		exit(5);
	close(fd);
}

static int do_connect(void)
{
	int l4 = listener(AF_INET), l6 = listener(AF_INET6);
	int p4 = port_of(l4), p6 = port_of(l6);
	printf("ready %d %d\n", p4, p6);
	wait_for_go();
	connect_to(AF_INET, p4);
	connect_to(AF_INET6, p6);
	connect_to(AF_INET, p4);
	printf("done %d %d\n", p4, p6);
	return 0;
}

static int do_bind(int port)
{
	int one = 1;
	printf("ready\n");
	wait_for_go();

	int t4 = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(t4, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (bind(t4, (struct sockaddr *)&a4, sizeof(a4)))
		return 6;

	int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	setsockopt(u6, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	setsockopt(u6, SOL_IP, IP_FREEBIND, &one, sizeof(one));
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	if (bind(u6, (struct sockaddr *)&a6, sizeof(a6)))
		return 7;

	int np = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(np, SOL_IP, IP_TRANSPARENT, &one, sizeof(one));
	setsockopt(np, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	struct sockaddr_in any = { .sin_family = AF_INET };
	if (bind(np, (struct sockaddr *)&any, sizeof(any)))
		return 8;

	int un = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un au = { .sun_family = AF_UNIX };
	snprintf(au.sun_path + 1, sizeof(au.sun_path) - 1, "bpfsharp-bind-trigger-%d", getpid());
	if (bind(un, (struct sockaddr *)&au, sizeof(sa_family_t) + 1 + strlen(au.sun_path + 1)))
		return 9;

	int taken = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in again = a4;
	again.sin_port = htons(port_of(t4));
	int failed = bind(taken, (struct sockaddr *)&again, sizeof(again)) ? errno : 0;
	printf("done %d %d %d\n", port_of(t4), port_of(u6), failed);
	return 0;
}

static int do_capable(void)
{
	printf("ready\n");
	wait_for_go();
	int first = setpriority(PRIO_PROCESS, 0, -1) ? errno : 0;
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &header, data))
		return 10;
	data[CAP_SYS_NICE / 32].effective &= ~(1u << (CAP_SYS_NICE % 32));
	if (syscall(SYS_capset, &header, data))
		return 11;
	int second = setpriority(PRIO_PROCESS, 0, -2) ? errno : 0;
	printf("done %d %d\n", first, second);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "connect"))
		return do_connect();
	if ((argc == 2 || argc == 3) && !strcmp(argv[1], "bind"))
		return do_bind(argc == 3 ? atoi(argv[2]) : 0);
	if (argc == 2 && !strcmp(argv[1], "capable"))
		return do_capable();
	fprintf(stderr, "usage: net_trigger connect|bind [PORT]|capable\n");
	return 2;
}
