#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Known-answer frames for the lib/net tests, made with scapy (an
implementation independent of ours): writes net_vectors.h.

    /usr/bin/python3 tests/unit/net/gen_net_vectors.py > tests/unit/net/net_vectors.h

Needs python3-scapy (Debian). Addresses and ports match net_test_util.h.
"""
import logging

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (ARP, ICMP, IP, UDP, Dot1Q, Ether, ICMPv6EchoRequest,  # noqa: E402
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig, IPv6, Raw)

US_MAC, PEER_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
US4, PEER4, LAN4, ROUTER4 = "192.0.2.1", "198.51.100.7", "192.0.2.7", "192.0.2.254"
US6, PEER6, US_LL, PEER_LL, ROUTER_LL = ("2001:db8::1", "2001:db8::7", "fe80::1",
                                         "fe80::7", "fe80::fe")
PORT, PEER_PORT = 51820, 40000
# A WireGuard-looking payload: type 4, then a counting pattern.
PAYLOAD = bytes([4, 0, 0, 0]) + bytes(range(28))


def pad60(b):
    return b + bytes(max(0, 60 - len(b)))


def emit(name, data, comment):
    print(f"/* {comment} */")
    print(f"static const uint8_t {name}[{len(data)}] = {{")
    for i in range(0, len(data), 12):
        print("\t" + " ".join(f"0x{x:02x}," for x in data[i:i + 12]))
    print("};\n")


def arp():
    emit("kat_arp_request", pad60(bytes(
        Ether(dst="ff:ff:ff:ff:ff:ff", src=US_MAC) /
        ARP(op=1, hwsrc=US_MAC, psrc=US4, hwdst="00:00:00:00:00:00", pdst=ROUTER4))),
        f"net_arp_frame_request: who has {ROUTER4}, tell {US4}; padded to 60")
    emit("kat_arp_peer_request", pad60(bytes(
        Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER_MAC) /
        ARP(op=1, hwsrc=PEER_MAC, psrc=LAN4, hwdst="00:00:00:00:00:00", pdst=US4))),
        f"a neighbour asks who has {US4}")
    emit("kat_arp_reply", pad60(bytes(
        Ether(dst=PEER_MAC, src=US_MAC) /
        ARP(op=2, hwsrc=US_MAC, psrc=US4, hwdst=PEER_MAC, pdst=LAN4))),
        "net_arp_frame_reply to kat_arp_peer_request")
    emit("kat_arp_gratuitous", pad60(bytes(
        Ether(dst="ff:ff:ff:ff:ff:ff", src=US_MAC) /
        ARP(op=1, hwsrc=US_MAC, psrc=US4, hwdst="00:00:00:00:00:00", pdst=US4))),
        "net_arp_frame_gratuitous")


def udp():
    ip4 = IP(src=US4, dst=PEER4, flags="DF", ttl=64, id=0x1234)
    emit("kat_udp4_csum", bytes(Ether(dst=PEER_MAC, src=US_MAC) / ip4 /
                                UDP(sport=PORT, dport=PEER_PORT) / Raw(PAYLOAD)),
         "outer IPv4 UDP, DF, TTL 64, id 0x1234, UDP checksum computed")
    emit("kat_udp4_nocsum", bytes(Ether(dst=PEER_MAC, src=US_MAC) / ip4 /
                                  UDP(sport=PORT, dport=PEER_PORT, chksum=0) /
                                  Raw(PAYLOAD)),
         "the same with UDP checksum 0")
    emit("kat_udp4_vlan", bytes(Ether(dst=PEER_MAC, src=US_MAC) / Dot1Q(vlan=100) /
                                ip4 / UDP(sport=PORT, dport=PEER_PORT, chksum=0) /
                                Raw(PAYLOAD)),
         "the same in VLAN 100")
    emit("kat_udp6", bytes(Ether(dst=PEER_MAC, src=US_MAC) /
                           IPv6(src=US6, dst=PEER6, hlim=64) /
                           UDP(sport=PORT, dport=PEER_PORT) / Raw(PAYLOAD)),
         "outer IPv6 UDP, hop limit 64, checksum computed")


def nd():
    emit("kat_ns_in", bytes(
        Ether(dst="33:33:ff:00:00:01", src=PEER_MAC) /
        IPv6(src=PEER_LL, dst="ff02::1:ff00:1", hlim=255) /
        ICMPv6ND_NS(tgt=US6) / ICMPv6NDOptSrcLLAddr(lladdr=PEER_MAC)),
        f"NS from {PEER_LL} for {US6} to its solicited-node group")
    emit("kat_na_out", bytes(
        Ether(dst=PEER_MAC, src=US_MAC) /
        IPv6(src=US6, dst=PEER_LL, hlim=255) /
        ICMPv6ND_NA(R=0, S=1, O=1, tgt=US6) / ICMPv6NDOptDstLLAddr(lladdr=US_MAC)),
        "net_nd_na_frame answering kat_ns_in, override set")
    emit("kat_ns_out", bytes(
        Ether(dst="33:33:ff:00:00:fe", src=US_MAC) /
        IPv6(src=US_LL, dst="ff02::1:ff00:fe", hlim=255) /
        ICMPv6ND_NS(tgt=ROUTER_LL) / ICMPv6NDOptSrcLLAddr(lladdr=US_MAC)),
        f"net_nd_ns_frame: resolve {ROUTER_LL} from {US_LL}")


def icmp():
    emit("kat_echo4", bytes(IP(src=US4, dst=PEER4, ttl=64, id=0) /
                            ICMP(type=8, id=0x4242, seq=7) / Raw(b"ping!")),
         "IPv4 echo request id 0x4242 seq 7 \"ping!\"")
    emit("kat_echo6", bytes(IPv6(src=US6, dst=PEER6, hlim=64) /
                            ICMPv6EchoRequest(id=0x4242, seq=7, data=b"ping!")),
         "ICMPv6 echo request id 0x4242 seq 7 \"ping!\"")
    # The offending packets: these headers, then 'A' up to 1500 bytes.
    o4 = IP(src="10.0.0.2", dst="10.0.0.9", flags="DF", ttl=64, id=1) / \
        UDP(sport=1000, dport=2000, chksum=0) / Raw(b"A" * 1472)
    o6 = IPv6(src="fd00::2", dst="fd00::9", hlim=64) / \
        UDP(sport=1000, dport=2000) / Raw(b"A" * 1452)
    emit("kat_big4_head", bytes(o4)[:28], "a 1500-byte IPv4 UDP packet, then 'A's")
    emit("kat_big6_head", bytes(o6)[:48], "a 1500-byte IPv6 UDP packet, then 'A's")
    e4 = IP(tos=0xc0, ttl=64, id=0, src="10.0.0.1", dst="10.0.0.2") / \
        ICMP(type=3, code=4, nexthopmtu=1420) / Raw(bytes(o4)[:548])
    e6 = IPv6(src="fd00::1", dst="fd00::2", hlim=64) / \
        ICMPv6PacketTooBig(mtu=1420) / Raw(bytes(o6)[:1232])
    emit("kat_frag_needed_head", bytes(e4)[:28],
         "fragmentation needed (MTU 1420) about it: 576 bytes, 548 quoted")
    emit("kat_too_big_head", bytes(e6)[:48],
         "packet too big (MTU 1420) about it: 1280 bytes, 1232 quoted")


print("/* SPDX-License-Identifier: MIT */")
print("/* Generated by gen_net_vectors.py (scapy); do not edit. */")
print("#ifndef OMNI_TEST_NET_VECTORS_H\n#define OMNI_TEST_NET_VECTORS_H\n")
print("#include <stdint.h>\n")
arp()
udp()
nd()
icmp()
print("#endif /* OMNI_TEST_NET_VECTORS_H */")
