#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Hostile packets against a DPDK edge that carries a working tunnel.
# omninervous (single-lcore, underlay through AF_XDP, host port omni0 through
# net_tap) and wireguard-go exchange pings; then scapy, in wireguard-go's
# namespace, sends the edge hand-made packets from 192.0.2.2 and from spoofed
# addresses of 192.0.2.0/24 (all assigned to vewPID, so that anything the
# edge sent to them would be delivered and seen): truncated messages, wrong
# type and reserved bytes, random handshakes (bad mac1), unknown receiver
# indices, replayed and tampered data packets captured from the real tunnel,
# UDP that is not WireGuard, UDP to another port, a flood of 2000 bad-mac1
# initiations from 200 sources, and initiations with a valid mac1 but
# garbage inside (rate limit, then Diffie-Hellman). Checked:
#   1. the edge is still alive;
#   2. nothing came back: no UDP from 192.0.2.1:51820 to anything but
#      wireguard-go's socket (a cookie reply to a valid-mac1 initiation is
#      the one answer WireGuard allows: counted and shown, not an error);
#      the watcher, running from before the first case to after the last
#      pings, must have seen those pings' packets to wireguard-go;
#   3. every case raised the counter named for its reason (SIGUSR1 before
#      and after; the deltas of all drop/refusal counters are printed);
#   4. the tunnel still carries pings both ways, and SIGTERM stops the edge
#      cleanly.
#
#  +-------------------------------------+     +-----------------------------------+
#  | netns omni-bad-e-PID                |     | netns omni-bad-w-PID              |
#  |                                     |     |                                   |
#  |  omni0 10.77.0.1/24 (net_tap)       |     |  wireguard-go, bwgPID 10.77.0.2/24|
#  |    |                                |     |    udp 51821                      |
#  |  omninervous, udp 51820             |     |  scapy: attacker + sniffer        |
#  |    |                                |     |    |                              |
#  |  vbePID 192.0.2.1/24 (net_af_xdp) -------- vbwPID 192.0.2.2/24               |
#  |                                     |     |       192.0.2.3-254/24 (spoofed)  |
#  +-------------------------------------+     +-----------------------------------+
#
# Usage: edge_badpkt.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"
asan_no_leaks

build=${1:?usage: $0 BUILD_DIR}
omni=$build/app/omninervous
ns_e=omni-bad-e-$$
ns_w=omni-bad-w-$$
wgif=bwg$$
veth_e=vbe$$
veth_w=vbw$$

# The edge's own parsers are under test: net_af_xdp with the PMD's program
# (everything reaches the edge), not our XDP program, which would drop most
# of these packets before the edge sees them (tests/e2e/edge_xdp.sh).
export OMNI_TEST_XDP_PROG=pmd

spoofed_sources() {
	local i
	# The spoofed sources: the kernel answers ARP for them, so a reply the
	# edge should not send would reach this namespace and be seen.
	for i in $(seq 3 254); do
		echo "addr add 192.0.2.$i/24 dev $veth_w"
	done | ip -n "$ns_w" -batch -
}

edge_alive() {
	alive "$pid_edge" && ! grep -E "AddressSanitizer|runtime error|PANIC" "$tmp/edge.log"
}

# The scapy side: capture, watch, send. Runs in the wireguard-go namespace.
write_scapy_tool() {
	cat >"$tmp/badpkt.py" <<'PYTHON'
# SPDX-License-Identifier: MIT
"""Hand-made WireGuard packets for edge_badpkt.sh.

badpkt.py capture IFACE OUT READY      data packets wireguard-go -> edge, hex
badpkt.py watch IFACE OUT READY        until SIGTERM: what the edge sends
badpkt.py send IFACE DSTMAC CAPTURED EDGE_PUB CASE
"""
import base64
import hashlib
import os
import signal
import struct
import sys
import threading

from scapy.all import IP, UDP, AsyncSniffer, Ether, conf, get_if_hwaddr

conf.verb = 0
EDGE, WG, EDGE_PORT, WG_PORT = "192.0.2.1", "192.0.2.2", 51820, 51821


def udp_of(pkt):
    if IP in pkt and UDP in pkt:
        return pkt[IP], pkt[UDP], bytes(pkt[UDP].payload)
    return None, None, None


def is_data_to_edge(pkt):
    ip, udp, data = udp_of(pkt)
    return (ip is not None and ip.src == WG and ip.dst == EDGE and udp.sport == WG_PORT
            and udp.dport == EDGE_PORT and len(data) > 32 and data[:4] == b"\x04\0\0\0")


def capture(iface, out, ready):
    sn = AsyncSniffer(iface=iface, lfilter=is_data_to_edge, count=3, timeout=20,
                      started_callback=lambda: open(ready, "w").close())
    sn.start()
    sn.join()
    with open(out, "w") as f:
        for p in sn.results or []:
            f.write(udp_of(p)[2].hex() + "\n")


def from_edge(pkt):
    ip, udp, _ = udp_of(pkt)
    return ip is not None and ip.src == EDGE and udp.sport == EDGE_PORT


def watch(iface, out, ready):
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    sn = AsyncSniffer(iface=iface, lfilter=from_edge, store=True,
                      started_callback=lambda: open(ready, "w").close())
    sn.start()
    done.wait()
    sn.stop()
    legit = cookie = 0
    lines = []
    for p in sn.results or []:
        ip, udp, data = udp_of(p)
        what = "%s:%d -> %s:%d, %d bytes, type %s" % (
            ip.src, udp.sport, ip.dst, udp.dport, len(data), data[:1].hex() or "-")
        if ip.dst == WG and udp.dport == WG_PORT:
            legit += 1
        elif udp.dport == MAC1_OK_PORT and len(data) == 64 and data[:4] == b"\x03\0\0\0":
            cookie += 1
            lines.append("cookie reply (allowed) " + what)
        else:
            lines.append("FORBIDDEN " + what)
    with open(out, "w") as f:
        f.write("to wireguard-go: %d, cookie replies: %d\n" % (legit, cookie))
        f.write("".join(l + "\n" for l in lines))


MAC1_OK_PORT = 40999


class Sender:
    def __init__(self, iface, dstmac):
        self.sock = conf.L2socket(iface=iface)
        self.eth = Ether(src=get_if_hwaddr(iface), dst=dstmac)
        self.n = 0

    def send(self, payloads, src=WG, sport=40000, dport=EDGE_PORT):
        for p in payloads:
            self.sock.send(self.eth / IP(src=src, dst=EDGE) / UDP(sport=sport, dport=dport) / p)
            self.n += 1


def rand_msg(head, size):
    return head + os.urandom(size - len(head))


def with_mac1(msg, edge_pub):
    """A message whose mac1 verifies (WireGuard paper 5.4.4); mac2 zero."""
    key = hashlib.blake2s(b"mac1----" + edge_pub).digest()
    body = msg[:-32]
    return body + hashlib.blake2s(body, key=key, digest_size=16).digest() + bytes(16)


def flip(data, counter=None):
    """A captured data packet with one ciphertext byte changed."""
    b = bytearray(data)
    if counter is not None:
        b[8:16] = struct.pack("<Q", counter)
    b[16] ^= 0x80
    return bytes(b)


def case_payloads(case, live, edge_pub, s):
    """Sends the case; live: the captured data packets (bytes)."""
    hdr = lambda t: bytes([t, 0, 0, 0])
    pkt = live[0]
    if case == "below_header":
        s.send(pkt[:n] for n in range(0, 4))
    elif case == "short_data":
        s.send(pkt[:n] for n in range(4, 32))
    elif case == "short_live":
        s.send(pkt[:n] for n in range(32, 41))
    elif case == "handshake_sizes":
        s.send(rand_msg(hdr(t), n) for t, n in
               ((1, 147), (1, 149), (1, 64), (2, 91), (2, 93), (3, 63), (3, 65), (3, 148)))
    elif case == "wrong_type":
        s.send(rand_msg(bytes([t, 0, 0, 0]), n) for t in (0, 5, 255) for n in (32, 64, 92, 148))
    elif case == "reserved":
        s.send(rand_msg(bytes([t]) + r, n) for t, n in ((1, 148), (2, 92), (3, 64), (4, 64))
               for r in (b"\1\0\0", b"\0\1\0", b"\0\0\x80"))
    elif case == "bad_mac1":
        s.send(rand_msg(hdr(1), 148) for _ in range(5))
        s.send(rand_msg(hdr(2), 92) for _ in range(5))
    elif case == "cookie_unknown":
        s.send(rand_msg(hdr(3), 64) for _ in range(5))
    elif case == "unknown_index":
        idx = struct.unpack("<I", pkt[4:8])[0]
        s.send(hdr(4) + struct.pack("<I", (idx + k * 0x9E3779B9) & 0xFFFFFFFF) + pkt[8:]
               for k in range(1, 6))
    elif case == "replay":
        s.send(live, sport=WG_PORT)  # exact copies, from wireguard-go's socket
        s.send(live, src="192.0.2.3", sport=40003)  # and from another address
    elif case == "bad_tag":
        s.send(flip(p) for p in live)
        # A forged counter far ahead: it must not move the replay window
        # (the pings afterwards would be "too old" if it did).
        ctr = struct.unpack("<Q", pkt[8:16])[0]
        s.send([flip(pkt, ctr + (1 << 20))], sport=WG_PORT)
    elif case == "not_wireguard":
        s.send([b"hello", b"GET / HTTP/1.0\r\n\r\n", b"\x00\x01\x00\x00\x21\x12\xa4\x42" +
                os.urandom(12), os.urandom(100), b"\x04" * 64])
    elif case == "other_port":
        s.send([rand_msg(hdr(1), 148), b"hello"], dport=51822)
        s.send([pkt], dport=9)
    elif case == "flood":
        # 2000 random initiations (bad mac1) from 200 spoofed sources.
        msgs = [rand_msg(hdr(1), 148) for _ in range(2000)]
        for i, m in enumerate(msgs):
            s.send([m], src="192.0.2.%d" % (10 + i % 200), sport=41000 + i % 200)
    elif case == "mac1_ok":
        # Valid mac1, random ephemeral: the rate limit (10/s per source),
        # then Diffie-Hellman, then the static key does not open.
        for i in range(200):
            s.send([with_mac1(rand_msg(hdr(1), 148), edge_pub)],
                   src="192.0.2.%d" % (230 + i % 10), sport=MAC1_OK_PORT)
    else:
        sys.exit("unknown case " + case)


def send(iface, dstmac, captured, edge_pub_file, case):
    live = [bytes.fromhex(l) for l in open(captured).read().split()]
    edge_pub = base64.b64decode(open(edge_pub_file).read().strip())
    s = Sender(iface, dstmac)
    case_payloads(case, live, edge_pub, s)
    print("%s: %d packets sent" % (case, s.n))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "capture":
        capture(*sys.argv[2:5])
    elif cmd == "watch":
        watch(*sys.argv[2:5])
    elif cmd == "send":
        send(*sys.argv[2:7])
    else:
        sys.exit(__doc__)
PYTHON
}

# A real data packet of the tunnel, wireguard-go -> edge, to replay and tamper with.
capture_data_packets() {
	bg_start cap "$ns_w" "$py" "$tmp/badpkt.py" capture "$veth_w" "$tmp/captured" "$tmp/cap.ready"
	wait_for test -e "$tmp/cap.ready" || return 1
	ping_from "$ns_w" 10.77.0.1
	bg_wait cap 25
	[ -s "$tmp/captured" ] || { echo "no data packet captured"; return 1; }
	wc -l <"$tmp/captured" | sed 's/$/ data packets captured/'
}

start_watch() {
	bg_start watch "$ns_w" "$py" "$tmp/badpkt.py" watch "$veth_w" "$tmp/watch.out" \
		"$tmp/watch.ready"
	wait_for test -e "$tmp/watch.ready" >/dev/null || die "the reply sniffer did not start"
}

# The watcher stops (SIGTERM) and says what the edge sent. It ran from
# before the first case until after the last pings: had it missed
# packets, it would have missed those pings' packets to wireguard-go.
nothing_came_back() {
	bg_stop watch || echo "the watcher exited $?"
	cat "$tmp/watch.out"
	grep -Eq '^to wireguard-go: [1-9]' "$tmp/watch.out" ||
		{ echo "the watcher saw no packet at all"; return 1; }
	! grep -q FORBIDDEN "$tmp/watch.out"
}

# Deltas of every drop and refusal counter between two snapshots.
deltas() {
	awk 'NR == FNR { old[$1] = $2; next }
		/^(drop_|handshake_refused_|ratelimited|cookies_sent|responses_sent)/ &&
		$2 != old[$1] { printf " %s +%d", $1, $2 - old[$1] }' "$1" "$2"
	echo
}

# all_rose COUNTER...: each rose between $tmp/before and a fresh snapshot.
all_rose() {
	local c
	edge_snapshot edge "$tmp/after" || return 2
	for c; do
		[ "$(counter "$tmp/after" "$c")" -gt "$(counter "$tmp/before" "$c")" ] || return 1
	done
}

# attack NAME CASE COUNTER...: sends the case, then waits (up to 10 s) until
# every named counter has risen; prints all deltas either way.
attack() {
	local name=$1 case=$2 c ok=1
	shift 2
	edge_snapshot edge "$tmp/before" || return 1
	ip netns exec "$ns_w" "$py" "$tmp/badpkt.py" send "$veth_w" "$edge_mac" "$tmp/captured" \
		"$tmp/edge.pub" "$case" || return 1
	wait_for -t 10 all_rose "$@" >/dev/null
	echo "deltas:$(deltas "$tmp/before" "$tmp/after")"
	for c; do
		[ "$(counter "$tmp/after" "$c")" -gt "$(counter "$tmp/before" "$c")" ] ||
			{ echo "$c did not rise"; ok=0; }
	done
	[ "$ok" = 1 ]
}

need_root
need_tools wireguard-go wg ip ping
need_scapy
need_built "$omni"
e2e_tmp badpkt
edge_pair "$ns_e" "$veth_e" "$ns_w" "$veth_w" "$wgif" 10.77.0 || die "topology"
spoofed_sources || die "spoofed addresses"
edge_pair_peer || die "wg set"
write_scapy_tool
edge_start edge "$ns_e" --underlay "$veth_e" --wg-config "$tmp/edge.conf" --host-port tap ||
	die "the edge did not start"
edge_mac=$(ip -n "$ns_e" -br link show "$veth_e" | awk '{ print $3 }')
check "before: ping 10.77.0.2 through the tunnel" ping_from "$ns_e" 10.77.0.2
check "before: a data packet from wireguard-go captured during ping 10.77.0.1" \
	capture_data_packets
[ -s "$tmp/captured" ] || die "nothing to replay: the tunnel does not work"
start_watch

check "truncated to 0..3 bytes (no header): drop_unknown_proto" \
	attack below_header below_header drop_unknown_proto
check "data header truncated to 4..31 bytes: counted as a size error" \
	attack short_data short_data "drop_bad_message|handshake_refused_BAD_SIZE"
check "live data packet truncated to 32..40 bytes: drop_bad_tag" \
	attack short_live short_live drop_bad_tag
check "handshake messages of the wrong size: counted as a size error" \
	attack handshake_sizes handshake_sizes "drop_bad_message|handshake_refused_BAD_SIZE"
check "type bytes 0, 5, 255: drop_unknown_proto" \
	attack wrong_type wrong_type drop_unknown_proto
check "nonzero reserved bytes: drop_unknown_proto" \
	attack reserved reserved drop_unknown_proto
check "random initiations and responses: handshake_refused_BAD_MAC1" \
	attack bad_mac1 bad_mac1 handshake_refused_BAD_MAC1
check "random cookie replies: handshake_refused_UNKNOWN_INDEX" \
	attack cookie_unknown cookie_unknown handshake_refused_UNKNOWN_INDEX
check "data with an unknown receiver index: drop_unknown_index" \
	attack unknown_index unknown_index drop_unknown_index
check "captured data packets replayed: drop_replay" \
	attack replay replay drop_replay
check "captured data packets, one ciphertext byte flipped: drop_bad_tag" \
	attack bad_tag bad_tag drop_bad_tag
check "UDP to 51820 that is not WireGuard: drop_unknown_proto" \
	attack not_wireguard not_wireguard drop_unknown_proto
check "UDP to other ports: drop_not_ours" \
	attack other_port other_port drop_not_ours
check "2000 random initiations from 200 sources: handshake_refused_BAD_MAC1" \
	attack flood flood handshake_refused_BAD_MAC1
check "200 valid-mac1 garbage initiations from 10 sources: ratelimited, BAD_STATIC" \
	attack mac1_ok mac1_ok ratelimited handshake_refused_BAD_STATIC

check "after: the edge is still alive" edge_alive
check "after: ping 10.77.0.2 through the tunnel" ping_from "$ns_e" 10.77.0.2
check "after: ping 10.77.0.1 through the tunnel" ping_from "$ns_w" 10.77.0.1
check "nothing came back to the attacking sources" nothing_came_back
check "SIGTERM stops the edge cleanly" edge_stop edge
finish
