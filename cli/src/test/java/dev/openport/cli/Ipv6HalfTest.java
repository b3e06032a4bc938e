package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.Ipv6Uplink;
import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProtocolState;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The one-shot IPv6 half against an in-memory pinhole gateway. */
class Ipv6HalfTest {
    private final Inet6Address stable = v6("2001:db8:1::2");
    private final Ipv6Uplink uplink = new Ipv6Uplink(v6("2001:db8:1::1"), "eth0", stable);
    private final List<DiscoveryOptions> connected = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private volatile PortMappingException refuseSecond;

    static Inet6Address v6(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A gateway that opens pinholes for the context's local address, as a PCP server over IPv6 would. */
    private PortMapper connect(DiscoveryOptions o) {
        connected.add(o);
        return new PortMapper() {
            private int maps;

            @Override
            public MappingProtocol protocol() {
                return MappingProtocol.PCP;
            }

            @Override
            public InetAddress gateway() {
                return o.gateway();
            }

            @Override
            public InetAddress externalAddress() {
                return o.localAddress();
            }

            @Override
            public PortMapping map(MappingRequest r) throws PortMappingException {
                if (++maps == 2 && refuseSecond != null) {
                    throw refuseSecond;
                }
                log.add("map " + r.transport() + " " + r.internalPort());
                return new PortMapping(r, o.localAddress(), o.localAddress(), r.internalPort(), r.lifetime(),
                        Instant.now().plus(r.lifetime()), MappingProtocol.PCP, o.gateway(), ProtocolState.of("nonce"));
            }

            @Override
            public PortMapping renew(PortMapping m) {
                return m;
            }

            @Override
            public void unmap(PortMapping m) {
                log.add("unmap " + m.transport() + " " + m.internalPort());
            }

            @Override
            public void close() {
                log.add("close");
            }
        };
    }

    private final DiscoveryOptions auto = DiscoveryOptions.builder().timeout(Duration.ofSeconds(1)).build();
    private final List<MappingRequest> tcpAndUdp = List.of(MappingRequest.of(Transport.TCP, 41600),
            MappingRequest.of(Transport.UDP, 41600));

    @Test
    void opensThePinholesOnTheUplinkFromTheStableAddress() throws Exception {
        Ipv6Half.Result r = Ipv6Half.map(auto, tcpAndUdp, false, () -> Optional.of(uplink), this::connect);
        assertThat(r.warnings()).isEmpty();
        assertThat(r.made()).extracting(m -> m.transport() + " " + m.external()).containsExactly(
                "TCP [2001:db8:1::2]:41600", "UDP [2001:db8:1::2]:41600");
        assertThat(connected).singleElement().satisfies(o -> {
            assertThat(o.gateway()).isEqualTo(v6("2001:db8:1::1"));
            assertThat(o.localAddress()).isEqualTo(stable);
            assertThat(o.protocols()).containsExactlyInAnyOrder(MappingProtocol.PCP, MappingProtocol.UPNP);
        });
        assertThat(log).endsWith("close");
    }

    @Test
    void withoutAnUplinkNothingHappensAndNothingIsSaid() throws Exception {
        assertThat(Ipv6Half.map(auto, tcpAndUdp, false, Optional::empty, this::connect))
                .isEqualTo(Ipv6Half.Result.NOTHING);
        assertThat(connected).isEmpty();
    }

    @Test
    void aNamedGatewayOrAnotherHostKeepsItIpv4() throws Exception {
        DiscoveryOptions named = auto.toBuilder().gateway(InetAddress.getByName("192.168.1.1")).build();
        assertThat(Ipv6Half.map(named, tcpAndUdp, false, () -> Optional.of(uplink), this::connect).made()).isEmpty();
        List<MappingRequest> other = List.of(MappingRequest.of(Transport.TCP, 41600)
                .withInternalAddress(InetAddress.getByName("192.168.1.50")));
        assertThat(Ipv6Half.map(auto, other, false, () -> Optional.of(uplink), this::connect).made()).isEmpty();
        assertThat(connected).isEmpty();
        assertThatThrownBy(() -> Ipv6Half.map(named, tcpAndUdp, true, () -> Optional.of(uplink), this::connect))
                .isInstanceOf(PortMappingException.class).hasMessageContaining("leave out --gateway");
    }

    @Test
    void aRefusalIsAWarningNamingIpv6AndUndoesWhatWasOpened() throws Exception {
        refuseSecond = new PortMappingException(PortMappingException.Reason.NOT_AUTHORIZED,
                "the router does not allow IPv6 pinholes: enable it\nin its settings");
        Ipv6Half.Result r = Ipv6Half.map(auto, tcpAndUdp, false, () -> Optional.of(uplink), this::connect);
        assertThat(r.made()).isEmpty();
        assertThat(r.warnings()).containsExactly(
                "IPv6 not opened: the router does not allow IPv6 pinholes: enable it in its settings");
        assertThat(log).containsExactly("map TCP 41600", "unmap TCP 41600", "close");
    }

    @Test
    void ipv6OnlyMakesFailuresErrors() {
        assertThatThrownBy(() -> Ipv6Half.map(auto, tcpAndUdp, true, Optional::empty, this::connect))
                .isInstanceOf(PortMappingException.class).hasMessageContaining("no IPv6 default route");
        refuseSecond = new PortMappingException(PortMappingException.Reason.NOT_AUTHORIZED, "no");
        assertThatThrownBy(() -> Ipv6Half.map(auto, tcpAndUdp, true, () -> Optional.of(uplink), this::connect))
                .isSameAs(refuseSecond);
        DiscoveryOptions natpmp = auto.toBuilder().protocols(MappingProtocol.NAT_PMP).build();
        assertThatThrownBy(() -> Ipv6Half.map(natpmp, tcpAndUdp, true, () -> Optional.of(uplink), this::connect))
                .hasMessageContaining("only PCP and UPnP");
        assertThat(new ArrayList<>(connected)).hasSize(1);
    }

    @Test
    void theFamilyFlagsExcludeEachOtherAndAreListedInHelp(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Cli.Result both = Cli.run("map", "41600", "-4", "-6", "--gateway", "127.0.0.1", "--state-file",
                dir.resolve("s.json").toString());
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.oneErrorLine()).contains("-4 (--ipv4-only) and -6 (--ipv6-only) exclude each other");
        assertThat(dir.resolve("s.json")).doesNotExist();
        Cli.Result help = Cli.run("map", "--help");
        assertThat(help.out()).contains("--ipv4-only").contains("--ipv6-only");
    }
}
