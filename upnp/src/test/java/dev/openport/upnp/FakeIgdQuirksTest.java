package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Router quirks against an in-process IGD on loopback, each switched on in the fake: what the client sends. */
class FakeIgdQuirksTest extends LoopbackIgdTest {
    @Test
    void quirk725OnlyPermanentLeasesRetriesWithZeroAndRemembersIt() throws Exception {
        igd.only725Permanent = true;
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5001));
            assertThat(a.isPermanent()).isTrue();
            assertThat(a.lifetime()).isEqualTo(Duration.ZERO);
            assertThat(igd.table.get("5001/TCP").lease()).isZero();
            PortMapping b = m.map(MappingRequest.of(Transport.UDP, 5001));
            assertThat(b.isPermanent()).isTrue();
            // the second map went straight to lease 0: one 725 in total
            assertThat(igd.requests("AddPortMapping")).hasSize(3);
            PortMapping renewed = m.renew(a);
            assertThat(renewed.isPermanent()).isTrue();
            assertThat(renewed.externalPort()).isEqualTo(5001);
            assertThat(igd.table).hasSize(2);
        }
    }

    @Test
    void quirk402InvalidArgsOnFiniteLeaseRetriesPermanent() throws Exception {
        igd.invalidArgsOnLease = true;
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping a = m.map(MappingRequest.of(Transport.UDP, 5002));
            assertThat(a.isPermanent()).isTrue();
            assertThat(m.permanentOnly()).isTrue();
            assertThat(igd.table.get("5002/UDP").lease()).isZero();
        }
    }

    @Test
    void quirk402LeaseAboveScpdAllowedValueRangeIsClamped() throws Exception {
        igd.leaseMax = 3600;
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5003).withLifetime(Duration.ofDays(1)));
            assertThat(a.lifetime()).isEqualTo(Duration.ofHours(1));
            assertThat(a.isPermanent()).isFalse();
            assertThat(igd.table.get("5003/TCP").lease()).isEqualTo(3600);
        }
    }

    @Test
    void quirk718OnOurOwnEntryIsSuccess() throws Exception {
        igd.conflictOnReAdd = true;
        try (UpnpPortMapper m = probeKeepingRequests()) {
            m.map(MappingRequest.of(Transport.TCP, 5004));
            PortMapping again = m.map(MappingRequest.of(Transport.TCP, 5004));
            assertThat(again.externalPort()).isEqualTo(5004);
            assertThat(igd.table).hasSize(1);
        }
    }

    @Test
    void quirk718OtherHostMovesToAnotherPortOnIgd1() throws Exception {
        igd.preload(5005, "TCP", 5005, "192.168.1.77", 0);
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5005));
            assertThat(a.externalPort()).isNotEqualTo(5005);
            assertThat(igd.table.get(a.externalPort() + "/TCP").client()).isEqualTo("127.0.0.1");
            assertThat(igd.table.get("5005/TCP").client()).isEqualTo("192.168.1.77");
        }
    }

    @Test
    void quirk718OtherHostWithExactPortIsConflict() throws Exception {
        igd.preload(5006, "UDP", 5006, "192.168.1.77", 0);
        try (UpnpPortMapper m = probeKeepingRequests()) {
            assertThatThrownBy(() -> m.map(MappingRequest.of(Transport.UDP, 5006).requireExactExternalPort()))
                    .isInstanceOfSatisfying(PortMappingException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
                        assertThat(e.protocolCode()).hasValue(718);
                    });
            assertThat(igd.requests("AddPortMapping")).hasSize(1);
        }
    }

    @Test
    void quirk718OtherHostUsesAddAnyPortMappingOnIgd2() throws Exception {
        igd.igd2 = true;
        igd.preload(5007, "TCP", 5007, "192.168.1.77", 0);
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5007));
            assertThat(a.externalPort()).isEqualTo(5008);
            assertThat(igd.requests("AddAnyPortMapping")).hasSize(1);
        }
    }

    @Test
    void igd2GatewayChosenPortUsesAddAnyPortMapping() throws Exception {
        igd.igd2 = true;
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping a = m.map(MappingRequest.of(Transport.UDP, 5009).withExternalPort(0));
            assertThat(a.externalPort()).isEqualTo(5009);
            assertThat(igd.requests("AddAnyPortMapping")).hasSize(1);
            assertThat(igd.requests("AddAnyPortMapping").get(0).serviceType()).endsWith("WANIPConnection:2");
        }
    }

    @Test
    void quirk724SamePortValuesRequired() throws Exception {
        igd.samePortRequired = true;
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5010).withExternalPort(6010));
            assertThat(a.externalPort()).isEqualTo(5010);
            assertThat(igd.table).containsKey("5010/TCP");
            assertThatThrownBy(() -> m.map(MappingRequest.of(Transport.TCP, 5011).withExternalPort(6011)
                    .requireExactExternalPort())).isInstanceOfSatisfying(PortMappingException.class,
                            e -> assertThat(e.protocolCode()).hasValue(724));
        }
    }

    @Test
    void quirk718OnRenewOfOurOwnEntryDeletesThenAdds() throws Exception {
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping a = m.map(MappingRequest.of(Transport.UDP, 5012));
            igd.conflictOnReAdd = true;
            igd.requests.clear();
            PortMapping r = m.renew(a);
            assertThat(r.externalPort()).isEqualTo(5012);
            assertThat(igd.requests).extracting(FakeIgd.Request::action).containsSubsequence(
                    "AddPortMapping", "GetSpecificPortMappingEntry", "DeletePortMapping", "AddPortMapping");
            assertThat(igd.table).containsKey("5012/UDP");
        }
    }

    @Test
    void quirkListedButNotForwardingRenewDeletesThenAdds() throws Exception {
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5013));
            // the router keeps a broken entry (disabled) and ignores re-adds of it
            FakeIgd.Entry e = igd.table.get("5013/TCP");
            igd.table.put("5013/TCP", new FakeIgd.Entry(e.externalPort(), e.protocol(), e.internalPort(), e.client(),
                    e.description(), e.lease(), false));
            igd.ignoreReAdd = true;
            m.renew(a);
            assertThat(igd.table.get("5013/TCP").enabled()).isTrue();
            assertThat(igd.requests("DeletePortMapping")).hasSize(1);
        }
    }

    @Test
    void quirkBrokenLeaseClockRenewReAddsAVanishedEntry() throws Exception {
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping a = m.map(MappingRequest.of(Transport.UDP, 5014));
            igd.table.clear(); // the router dropped it early
            PortMapping r = m.renew(a);
            assertThat(r.externalPort()).isEqualTo(5014);
            assertThat(igd.table).containsKey("5014/UDP");
        }
    }
}
