package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class EndpointTest {
    @Test
    void printsAsPeopleWriteIt() throws Exception {
        assertThat(new Endpoint(InetAddress.getByName("203.0.113.1"), 25565)).hasToString("203.0.113.1:25565");
        assertThat(new Endpoint(InetAddress.getByName("2001:db8::2"), 25565)).hasToString("[2001:db8::2]:25565");
        assertThat(new Endpoint(null, 25565)).hasToString("?:25565");
    }

    @Test
    void convertsToASocketAddress() throws Exception {
        InetAddress a = InetAddress.getByName("203.0.113.1");
        assertThat(new Endpoint(a, 80).toSocketAddress()).isEqualTo(new InetSocketAddress(a, 80));
        assertThat(new Endpoint(null, 80).toSocketAddress().isUnresolved()).isTrue();
    }

    @Test
    void rejectsAPortOutOfRange() {
        assertThatThrownBy(() -> new Endpoint(null, 65536)).isInstanceOf(IllegalArgumentException.class);
    }
}
