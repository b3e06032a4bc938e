package dev.openport.core;

import java.io.IOException;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's IPv6 addresses with the states the JDK does not show ({@link java.net.NetworkInterface} cannot
 * tell a temporary privacy address from a stable one), read the way each OS prints them. One pure parser per
 * format, tested on captured output; {@link StableIpv6Address} chooses among the entries.
 */
final class Ipv6AddressTable {
    private static final Logger LOG = LoggerFactory.getLogger(Ipv6AddressTable.class);

    // ifa_flags (linux/if_addr.h); /proc/net/if_inet6 prints their low byte
    static final int IFA_F_TEMPORARY = 0x01;
    static final int IFA_F_DADFAILED = 0x08;
    static final int IFA_F_DEPRECATED = 0x20;
    static final int IFA_F_TENTATIVE = 0x40;
    static final int IFA_F_PERMANENT = 0x80;

    /** What an OS says about an address beyond its value. */
    enum State {
        /** A privacy address (RFC 8981): changes daily, the router would open the pinhole for a soon-dead address. */
        TEMPORARY,
        /** Preferred lifetime over (RFC 4862 §5.5.4): not to be used for new communication. */
        DEPRECATED,
        /** Duplicate address detection still running (RFC 4862 §5.4): not usable yet. */
        TENTATIVE,
        /** Duplicate address detection failed: another host has it. */
        DUPLICATE,
        /** Configured by hand (no lifetime): the most stable kind. */
        PERMANENT,
        /** The tool printed a kind or state we do not know (e.g. a localized Windows word): not chosen. */
        UNKNOWN
    }

    /** One address of one interface: its zone is {@code iface} (name; interface index on Windows). */
    record Entry(Inet6Address address, String iface, int prefixLength, Set<State> states) {
        Entry {
            states = states.isEmpty() ? Set.of() : Set.copyOf(states);
        }

        boolean is(State s) {
            return states.contains(s);
        }
    }

    private static final Pattern IP_HEADER = Pattern.compile("^\\d+:\\s+([^:@\\s]+)(?:@\\S+)?:.*");
    private static final Pattern IFCONFIG_HEADER = Pattern.compile("^([^:\\s]+):\\s+flags=.*");
    /** "Interface 12: Ethernet" (the first word is localized: "Schnittstelle 12: Ethernet"). */
    private static final Pattern NETSH_HEADER = Pattern.compile("^\\S+\\s+(\\d{1,10}):\\s.*");

    private Ipv6AddressTable() {
    }

    /** This host's IPv6 addresses, by whatever means this OS offers; empty when none can be read. */
    static List<Entry> read() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            return parseNetshShowAddresses(DefaultGateway.run("netsh", "interface", "ipv6", "show", "addresses"));
        }
        if (os.contains("mac") || os.contains("darwin") || os.contains("bsd")) {
            return parseIfconfig(DefaultGateway.run("ifconfig", "-a"));
        }
        Path proc = Path.of("/proc/net/if_inet6");
        if (Files.isReadable(proc)) {
            try {
                List<Entry> entries = parseProcIfInet6(Files.readString(proc, StandardCharsets.US_ASCII));
                if (!entries.isEmpty()) {
                    return entries;
                }
            } catch (IOException e) {
                LOG.debug("cannot read {}: {}", proc, e.getMessage());
            }
        }
        return parseIpAddr(DefaultGateway.run("ip", "-6", "addr", "show"));
    }

    /**
     * Parses Linux's {@code /proc/net/if_inet6}: address (32 hex digits), interface index, prefix length,
     * scope, flags (all hex) and device, e.g. {@code 20010db8000100000000000000000002 02 40 00 80 eth0}. The
     * flags are the low byte of ifa_flags: temporary 0x01, DAD failed 0x08, deprecated 0x20, tentative 0x40,
     * permanent 0x80.
     */
    static List<Entry> parseProcIfInet6(String table) {
        List<Entry> out = new ArrayList<>();
        for (String line : DefaultGateway.lines(table)) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 6) {
                continue;
            }
            Optional<Inet6Address> a = Ipv6Text.fromHex32(f[0]);
            int prefix = hex(f[2]);
            int flags = hex(f[4]);
            if (a.isEmpty() || prefix < 0 || prefix > 128 || flags < 0) {
                continue;
            }
            EnumSet<State> s = EnumSet.noneOf(State.class);
            flag(s, flags, IFA_F_TEMPORARY, State.TEMPORARY);
            flag(s, flags, IFA_F_DADFAILED, State.DUPLICATE);
            flag(s, flags, IFA_F_DEPRECATED, State.DEPRECATED);
            flag(s, flags, IFA_F_TENTATIVE, State.TENTATIVE);
            flag(s, flags, IFA_F_PERMANENT, State.PERMANENT);
            out.add(new Entry(a.get(), f[5], prefix, s));
        }
        return out;
    }

    /**
     * Parses {@code ip -6 addr show}: an interface line {@code 2: eth0: <...>} (a veth prints {@code
     * eth0@if7}), then {@code inet6 2001:db8::2/64 scope global temporary dynamic} lines. iproute2 prints
     * {@code dynamic} for addresses with a lifetime, so the absence of it means configured by hand.
     */
    static List<Entry> parseIpAddr(String output) {
        return walk(output, IP_HEADER, Ipv6AddressTable::ipAddrRow);
    }

    private static Entry ipAddrRow(String iface, String[] f) {
        Optional<Inet6Address> a = f.length < 2 || !"inet6".equals(f[0]) ? Optional.empty() : Ipv6Text.address(f[1]);
        if (a.isEmpty()) {
            return null;
        }
        EnumSet<State> s = EnumSet.of(State.PERMANENT);
        for (int i = 2; i < f.length; i++) {
            switch (f[i]) {
                case "temporary" -> s.add(State.TEMPORARY);
                case "deprecated" -> s.add(State.DEPRECATED);
                case "tentative" -> s.add(State.TENTATIVE);
                case "dadfailed" -> s.add(State.DUPLICATE);
                case "dynamic" -> s.remove(State.PERMANENT);
                default -> {
                    // scope, global, mngtmpaddr, noprefixroute, nodad...: no bearing on the choice
                }
            }
        }
        return new Entry(a.get(), iface, prefixOf(f[1], 128), s);
    }

    /**
     * Parses macOS/BSD {@code ifconfig}: {@code en0: flags=8863<UP,...> mtu 1500} starts an interface;
     * {@code inet6 2001:db8::5 prefixlen 64 autoconf temporary} lines follow. Words after the prefix length:
     * {@code temporary}, {@code deprecated}, {@code tentative}, {@code duplicated}, {@code detached} (the
     * prefix's router went away) and {@code optimistic} disqualify; {@code secured} (RFC 7217 stable),
     * {@code autoconf}, {@code dynamic} (DHCPv6) do not; without {@code autoconf}/{@code dynamic} the address
     * was configured by hand.
     */
    static List<Entry> parseIfconfig(String output) {
        return walk(output, IFCONFIG_HEADER, Ipv6AddressTable::ifconfigRow);
    }

    private static Entry ifconfigRow(String iface, String[] f) {
        Optional<Inet6Address> a = f.length < 2 || !"inet6".equals(f[0]) ? Optional.empty() : Ipv6Text.address(f[1]);
        if (a.isEmpty()) {
            return null;
        }
        int prefix = 128;
        EnumSet<State> s = EnumSet.of(State.PERMANENT);
        for (int i = 2; i < f.length; i++) {
            switch (f[i]) {
                case "prefixlen" -> prefix = i + 1 < f.length ? decimal(f[i + 1], 128) : prefix;
                case "temporary" -> s.add(State.TEMPORARY);
                case "deprecated", "detached" -> s.add(State.DEPRECATED);
                case "tentative", "optimistic" -> s.add(State.TENTATIVE);
                case "duplicated" -> s.add(State.DUPLICATE);
                case "autoconf", "dynamic" -> s.remove(State.PERMANENT);
                default -> {
                    // secured, scopeid, anycast...: no bearing on the choice
                }
            }
        }
        return new Entry(a.get(), iface, prefix, s);
    }

    /**
     * Parses {@code netsh interface ipv6 show addresses}: {@code Interface 12: Ethernet} starts an interface
     * (zone = its index), then rows {@code Addr-Type DAD-State Valid-Life Preferred-Life Address}. Kinds:
     * Public (SLAAC, stable), Manual, Dhcp, Temporary (privacy), Other (link-local); DAD states: Preferred,
     * Deprecated, Tentative, Optimistic, Duplicate, Invalid. netsh translates these words; one we do not
     * know makes the entry {@link State#UNKNOWN}, never chosen (a wrong guess would pick a temporary address).
     */
    static List<Entry> parseNetshShowAddresses(String output) {
        return walk(output, NETSH_HEADER, Ipv6AddressTable::netshRow);
    }

    private static Entry netshRow(String iface, String[] f) {
        Optional<Inet6Address> a = f.length < 5 ? Optional.empty() : Ipv6Text.address(f[f.length - 1]);
        if (a.isEmpty()) {
            return null;
        }
        EnumSet<State> s = EnumSet.noneOf(State.class);
        switch (f[0].toLowerCase(Locale.ROOT)) {
            case "public", "dhcp", "other", "link" -> {
                // stable kinds (link-local ones are excluded by their address, not here)
            }
            case "manual" -> s.add(State.PERMANENT);
            case "temporary", "anonymous" -> s.add(State.TEMPORARY);
            default -> s.add(State.UNKNOWN);
        }
        switch (f[1].toLowerCase(Locale.ROOT)) {
            case "preferred" -> {
                // usable
            }
            case "deprecated" -> s.add(State.DEPRECATED);
            case "tentative", "optimistic" -> s.add(State.TENTATIVE);
            case "duplicate", "invalid" -> s.add(State.DUPLICATE);
            default -> s.add(State.UNKNOWN);
        }
        return new Entry(a.get(), iface, 128, s);
    }

    /** Reads one row below an interface header: the address entry it describes, or {@code null}. */
    @FunctionalInterface
    private interface RowReader {
        Entry read(String iface, String[] fields);
    }

    /**
     * The walk every interface-block format shares (ip, ifconfig, netsh): a line matching {@code header} names the
     * interface (group 1), the lines below it until the next header describe its addresses; rows before the
     * first header are ignored.
     */
    private static List<Entry> walk(String output, Pattern header, RowReader row) {
        List<Entry> out = new ArrayList<>();
        String iface = null;
        for (String line : DefaultGateway.lines(output)) {
            Matcher h = header.matcher(line);
            if (h.matches()) {
                iface = h.group(1);
            } else if (iface != null) {
                Entry e = row.read(iface, line.trim().split("\\s+"));
                if (e != null) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    private static void flag(Set<State> s, int flags, int bit, State state) {
        if ((flags & bit) != 0) {
            s.add(state);
        }
    }

    private static int prefixOf(String text, int fallback) {
        int slash = text.indexOf('/');
        return slash < 0 ? fallback : decimal(text.substring(slash + 1), fallback);
    }

    private static int decimal(String s, int fallback) {
        try {
            int v = Integer.parseInt(s);
            return v >= 0 && v <= 128 ? v : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static int hex(String s) {
        try {
            return s.length() <= 8 ? Integer.parseInt(s, 16) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
