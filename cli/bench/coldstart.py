#!/usr/bin/env python3
"""CLI cold start: wall time from process start to exit for `openport --help` and `openport map` against a
fake NAT-PMP gateway (RFC 6886) that this script runs on a loopback port. Nothing leaves the host.

    python3 cli/bench/coldstart.py [ROUNDS]      # after ./openport --version has built the jar

Runs every variant once per round, interleaved, and prints the median and the minimum (on a busy machine the
minimum is the better guide).
"""
import os, socket, statistics, struct, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JAR = os.path.join(ROOT, "cli", "target", "openport.jar")
JSA = os.path.join(ROOT, "cli", "target", "openport.jsa")


def fake_natpmp(sock):
    t0 = time.time()
    while True:
        try:
            d, a = sock.recvfrom(1100)
        except OSError:
            return
        if len(d) < 2:
            continue
        v, op, epoch = d[0], d[1] & 0x7F, int(time.time() - t0) + 1000
        if v != 0:  # a PCP probe: "unsupported version" (RFC 6886 section 3.5), as a NAT-PMP-only router answers
            sock.sendto(struct.pack(">BBHI", 0, 128 + op, 1, epoch), a)
        elif op == 0:
            sock.sendto(struct.pack(">BBHI4s", 0, 128, 0, epoch, bytes([203, 0, 113, 7])), a)
        elif op in (1, 2) and len(d) >= 12:
            _, _, _, internal, external, life = struct.unpack(">BBHHHI", d[:12])
            sock.sendto(struct.pack(">BBHIHHI", 0, 128 + op, 0, epoch, internal, external if life else 0, life), a)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = str(sock.getsockname()[1])
    threading.Thread(target=fake_natpmp, args=(sock,), daemon=True).start()
    closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed.bind(("127.0.0.1", 0))
    closed_port = str(closed.getsockname()[1])
    closed.close()
    state = os.path.join(tempfile.mkdtemp(), "mappings.json")
    tuned = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"]
    cds = ["-XX:SharedArchiveFile=" + JSA, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
    fake = ["--gateway", "127.0.0.1", "--natpmp-port", port, "--no-multicast", "--state-file", state]
    natpmp = ["map", "25565", "--protocol", "natpmp"] + fake
    auto = ["map", "25565", "--pcp-port", port, "--ssdp-port", closed_port] + fake
    launcher = os.path.join(ROOT, "openport")
    variants = {
        "--help: java -jar": ["java", "-jar", JAR, "--help"],
        "--help: + tuned flags": ["java"] + tuned + ["-jar", JAR, "--help"],
        "--help: + AppCDS": ["java"] + tuned + cds + ["-jar", JAR, "--help"],
        "--help: ./openport": [launcher, "--help"],
        "map natpmp: java -jar": ["java", "-jar", JAR] + natpmp,
        "map natpmp: + tuned flags": ["java"] + tuned + ["-jar", JAR] + natpmp,
        "map natpmp: + AppCDS": ["java"] + tuned + cds + ["-jar", JAR] + natpmp,
        "map natpmp: ./openport": [launcher] + natpmp,
        "map auto (PCP refused): ./openport": [launcher] + auto,
    }
    env = dict(os.environ, OPENPORT_NO_BUILD="1")
    subprocess.run([launcher, "--version"], env=env, stdout=subprocess.DEVNULL)  # records the AppCDS archive
    times = {k: [] for k in variants}
    for _ in range(rounds):
        for name, cmd in variants.items():
            start = time.perf_counter()
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            times[name].append((time.perf_counter() - start) * 1000)
            if r.returncode != 0:
                print("failed (exit %d): %s" % (r.returncode, name), file=sys.stderr)
    for name, v in times.items():
        print("%-36s median %5.0f ms   min %5.0f ms" % (name, statistics.median(v), min(v)))


if __name__ == "__main__":
    main()
