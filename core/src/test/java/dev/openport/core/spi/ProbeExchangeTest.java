package dev.openport.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ProbeExchangeTest {
    /** A mapper that only counts closes: the probe logic is all that is under test. */
    private static final class ClosableMapper implements PortMapper {
        int closes;

        @Override
        public MappingProtocol protocol() {
            return MappingProtocol.PCP;
        }

        @Override
        public InetAddress gateway() {
            return InetAddress.getLoopbackAddress();
        }

        @Override
        public InetAddress externalAddress() {
            throw new UnsupportedOperationException();
        }

        @Override
        public PortMapping map(MappingRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PortMapping renew(PortMapping mapping) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void unmap(PortMapping mapping) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            closes++;
        }
    }

    @Test
    void aProbeThatWorksHandsOutTheOpenMapper() throws Exception {
        ClosableMapper mapper = new ClosableMapper();
        assertThat(ProbeExchange.run(mapper, m -> { })).isSameAs(mapper);
        assertThat(mapper.closes).isZero();
    }

    @Test
    void aRefusedProbeClosesTheMapperAndRethrows() {
        ClosableMapper mapper = new ClosableMapper();
        PortMappingException refused = new PortMappingException(Reason.UNSUPPORTED, "NAT-PMP only",
                MappingProtocol.PCP, mapper.gateway(), 1, null);
        assertThatThrownBy(() -> ProbeExchange.run(mapper, m -> {
            throw refused;
        })).isSameAs(refused);
        assertThat(mapper.closes).isEqualTo(1);
    }

    @Test
    void aProbeThatFailsUncheckedClosesTheMapperToo() {
        ClosableMapper mapper = new ClosableMapper();
        IllegalStateException guard = new IllegalStateException("loopbackOnly");
        assertThatThrownBy(() -> ProbeExchange.run(mapper, m -> {
            throw guard;
        })).isSameAs(guard);
        assertThat(mapper.closes).isEqualTo(1);
    }
}
