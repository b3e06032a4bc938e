package dev.openport.upnp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fake IGD's SSDP responder: answers M-SEARCH on one socket as miniupnpd does (only for what it has), with
 * the quirks {@link FakeIgd} switches on (silence, answers from another port, root-device-only answers).
 */
final class FakeIgdSsdp {
    private final FakeIgd igd;
    /** Where answers come from when {@link FakeIgd#answerFromOtherPort} is set. */
    private final DatagramSocket otherPort;

    FakeIgdSsdp(FakeIgd igd, DatagramSocket otherPort) {
        this.igd = igd;
        this.otherPort = otherPort;
    }

    /** Answers the M-SEARCHes arriving on {@code socket} until the fake closes. */
    void answer(DatagramSocket socket, boolean unicast) {
        byte[] buf = new byte[4096];
        while (!igd.closed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                igd.ssdpQueries.incrementAndGet();
                String req = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                if (!req.startsWith("M-SEARCH * HTTP/1.1") || unicast && !igd.answerUnicast
                        || !unicast && !igd.answerMulticast) {
                    continue;
                }
                Matcher m = Pattern.compile("(?im)^ST:\\s*(.+?)\\s*$").matcher(req);
                if (!m.find()) {
                    continue;
                }
                String st = m.group(1);
                String device = "urn:schemas-upnp-org:device:InternetGatewayDevice:" + (igd.igd2 ? 2 : 1);
                String answerSt;
                if (igd.onlyRootDeviceToSsdpAll) {
                    if (!st.equals("ssdp:all")) {
                        continue;
                    }
                    answerSt = "upnp:rootdevice";
                } else if (st.equals("ssdp:all") || st.equals(device)) {
                    answerSt = device;
                } else if (st.equals(igd.serviceType())) {
                    answerSt = st;
                } else {
                    continue; // like miniupnpd: only what it has
                }
                String location = igd.locationOverride != null ? igd.locationOverride : igd.location().toString();
                String answer = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: " + answerSt
                        + "\r\nUSN: uuid:fake-igd-0001::" + answerSt + "\r\nEXT:\r\nSERVER: fake UPnP/1.1 FakeIgd/1.0"
                        + "\r\nLOCATION: " + location + "\r\nOPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
                        + "01-NLS: 1\r\nBOOTID.UPNP.ORG: 1\r\n\r\n";
                byte[] out = answer.getBytes(StandardCharsets.US_ASCII);
                DatagramSocket from = igd.answerFromOtherPort ? otherPort : socket;
                from.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (igd.closed()) {
                    return;
                }
            }
        }
    }
}
