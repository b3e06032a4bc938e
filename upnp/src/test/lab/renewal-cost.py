#!/usr/bin/env python3
"""What a UPnP renewal costs on a real router: a plain re-add (AddPortMapping over our own entry) against
DeletePortMapping + AddPortMapping, in milliseconds per renewal and in traffic lost from the WAN meanwhile.

Run by renewal-cost.sh in the gateway lab (it starts the WAN senders). Two roles:

  renewal-cost.py send HOST PORT SECONDS LOG         (WAN host) two UDP streams to HOST:PORT: "A" from one source
                                                  port (an established flow, 1000/s) and "B" from a new source
                                                  port per packet (a new flow each time, 500/s)
  renewal-cost.py measure CONTROL_URL SERVICE CLIENT PORT ROUNDS LOG  (LAN client) maps PORT/UDP, then ROUNDS
                                                  re-adds and ROUNDS delete+adds 50 ms apart, timing each, while
                                                  counting what arrives of each stream during each phase

Prints one line per phase: renewals, median/p95/max ms per renewal, and per stream the packets received per
second, the longest gap in ms, and how many of the packets sent during the phase never arrived.
"""
import http.client
import socket
import statistics
import sys
import threading
import time
import urllib.parse


def soap(url, service, action, args):
    u = urllib.parse.urlparse(url)
    body = ('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:%s xmlns:u="%s">%s</u:%s>'
            '</s:Body></s:Envelope>' % (action, service, ''.join('<%s>%s</%s>' % (k, v, k) for k, v in args),
                                         action))
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
    c.request('POST', u.path, body.encode(), {'Content-Type': 'text/xml; charset="utf-8"',
                                               'SOAPAction': '"%s#%s"' % (service, action)})
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status != 200:
        raise RuntimeError('%s: HTTP %d %s' % (action, r.status, data[:200]))


def add(url, service, client, port):
    soap(url, service, 'AddPortMapping', [('NewRemoteHost', ''), ('NewExternalPort', port), ('NewProtocol', 'UDP'),
                                          ('NewInternalPort', port), ('NewInternalClient', client),
                                          ('NewEnabled', 1), ('NewPortMappingDescription', 'renewal-cost'),
                                          ('NewLeaseDuration', 3600)])


def delete(url, service, port):
    soap(url, service, 'DeletePortMapping', [('NewRemoteHost', ''), ('NewExternalPort', port),
                                             ('NewProtocol', 'UDP')])


def send(host, port, seconds, log):
    """Sends; writes 'stream seq monotonic-time' per packet to LOG (CLOCK_MONOTONIC is shared by namespaces)."""
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    end = time.monotonic() + float(seconds)
    n = 0
    with open(log, 'w') as out:
        while time.monotonic() < end:
            a.sendto(b'A%d' % n, (host, int(port)))
            out.write('A %d %.6f\n' % (n, time.monotonic()))
            if n % 2 == 0:
                b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # a new source port: a new flow
                b.sendto(b'B%d' % n, (host, int(port)))
                out.write('B %d %.6f\n' % (n, time.monotonic()))
                b.close()
            n += 1
            time.sleep(0.001)


def measure(url, service, client, port, rounds, log):
    rounds = int(rounds)
    arrivals = {b'A': [], b'B': []}
    seen = set()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('0.0.0.0', int(port)))
    sock.settimeout(0.5)
    stop = threading.Event()

    def receive():
        while not stop.is_set():
            try:
                data, _ = sock.recvfrom(16)
            except socket.timeout:
                continue
            if data[:1] in arrivals:
                arrivals[data[:1]].append(time.monotonic())
                seen.add(data)

    t = threading.Thread(target=receive, daemon=True)
    t.start()
    add(url, service, client, port)
    time.sleep(1.0)  # the established flow of stream A starts
    phases = []
    for name, renew in (('re-add', lambda: add(url, service, client, port)),
                        ('delete+add', lambda: (delete(url, service, port), add(url, service, client, port))),
                        ('idle', None)):
        times = []
        start = time.monotonic()
        for _ in range(rounds):
            if renew:
                t0 = time.monotonic()
                renew()
                times.append((time.monotonic() - t0) * 1000)
            time.sleep(0.05)
        phases.append((name, start, time.monotonic(), times))
    time.sleep(0.2)  # the last packets in flight
    stop.set()
    t.join()
    delete(url, service, port)
    sent = {b'A': [], b'B': []}
    with open(log) as f:
        for line in f:
            stream, seq, at = line.split()
            sent[stream.encode()].append((float(at), (stream + seq).encode()))
    for name, start, end, times in phases:
        line = '%-10s renewals %4d' % (name, len(times))
        if times:
            times.sort()
            line += '  ms median %.2f p95 %.2f max %.2f' % (statistics.median(times),
                                                              times[int(len(times) * 0.95) - 1], times[-1])
        for s in (b'A', b'B'):
            got = [x for x in arrivals[s] if start <= x < end]
            gaps = [b - a for a, b in zip([start] + got, got + [end])]
            phase_sent = [p for at, p in sent[s] if start <= at < end]
            lost = sum(1 for p in phase_sent if p not in seen)
            line += '  %s %5.0f/s gap %.1f ms lost %d/%d' % (s.decode(), len(got) / (end - start), max(gaps) * 1000,
                                                             lost, len(phase_sent))
        print(line)


if __name__ == '__main__':
    {'send': send, 'measure': measure}[sys.argv[1]](*sys.argv[2:])
