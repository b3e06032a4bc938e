package dev.openport.upnp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fake IGD's SOAP control: WANIPConnection actions on {@link FakeIgd#table} and WANIPv6FirewallControl
 * actions on {@link FakeIgd#pinholes}, with the router quirks {@link FakeIgd} switches on. Injected faults come
 * first: canned raw answers ({@link FakeIgd#answerNext}), then {@link FakeIgd#alwaysFault}.
 */
final class FakeIgdSoap {
    private final FakeIgd igd;
    private final AtomicInteger nextPinhole = new AtomicInteger(1);

    FakeIgdSoap(FakeIgd igd) {
        this.igd = igd;
    }

    /** Answers one POST to {@code path} from the client address {@code from}. */
    void post(String path, String soapAction, String body, OutputStream out, String from) throws IOException {
        igd.rawSoap.add(body);
        Matcher a = Pattern.compile("\"?([^#\"]+)#([A-Za-z]+)\"?").matcher(soapAction);
        if (!a.matches()) {
            fault(out, 401, "Invalid Action");
            return;
        }
        String st = a.group(1);
        String action = a.group(2);
        Map<String, String> args = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<(New[A-Za-z]+|[A-Z][A-Za-z]+)>([^<]*)</\\1>").matcher(body);
        while (m.find()) {
            args.put(m.group(1), unescape(m.group(2)));
        }
        igd.requests.add(new FakeIgd.Request(action, st, args));
        Deque<byte[]> queued = igd.canned.get(action);
        byte[] raw = queued == null ? null : queued.poll();
        if (raw != null) {
            out.write(raw);
            return;
        }
        Integer refusal = igd.alwaysFault.get(action);
        if (refusal != null) {
            fault(out, refusal, "refused");
            return;
        }
        if (path.equals("/ctl/IP6FCtl") && igd.ipv6Firewall) {
            pinhole(action, st, args, out);
            return;
        }
        if (!st.equals(igd.serviceType())) {
            fault(out, 401, "Invalid Action");
            return;
        }
        if (path.equals("/ctl/Down")) {
            switch (action) {
                case "GetStatusInfo" -> ok(out, action, "<NewConnectionStatus>Disconnected</NewConnectionStatus>"
                        + "<NewLastConnectionError>ERROR_NO_CARRIER</NewLastConnectionError><NewUptime>0</NewUptime>");
                case "GetExternalIPAddress" -> ok(out, action, "<NewExternalIPAddress>10.0.0.5</NewExternalIPAddress>");
                default -> fault(out, 501, "Action Failed");
            }
            return;
        }
        if (!path.equals(igd.controlPath)) {
            FakeIgdHttp.respond(out, 404, new byte[0]);
            return;
        }
        synchronized (igd) {
            soap(action, args, out, from);
        }
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&amp;", "&");
    }

    private void soap(String action, Map<String, String> a, OutputStream out, String from) throws IOException {
        switch (action) {
            case "GetExternalIPAddress" -> ok(out, action, "<NewExternalIPAddress>" + igd.externalAddress
                    + "</NewExternalIPAddress>");
            case "GetStatusInfo" -> ok(out, action, "<NewConnectionStatus>Connected</NewConnectionStatus>"
                    + "<NewLastConnectionError>ERROR_NONE</NewLastConnectionError><NewUptime>42</NewUptime>");
            case "AddPortMapping", "AddAnyPortMapping" -> add(action, a, out);
            case "DeletePortMapping" -> {
                FakeIgd.Entry held = igd.table.get(key(a));
                if (igd.secureMode && held != null && !held.client().equals(from)) {
                    fault(out, 606, "Action not authorized");
                    return;
                }
                FakeIgd.Entry e = igd.table.remove(key(a));
                if (e == null) {
                    fault(out, 714, "NoSuchEntryInArray");
                } else {
                    ok(out, action, "");
                }
            }
            case "GetSpecificPortMappingEntry" -> {
                FakeIgd.Entry e = igd.table.get(key(a));
                if (e == null) {
                    fault(out, 714, "NoSuchEntryInArray");
                } else {
                    ok(out, action, "<NewInternalPort>" + e.internalPort() + "</NewInternalPort><NewInternalClient>"
                            + e.client() + "</NewInternalClient><NewEnabled>" + (e.enabled() ? 1 : 0)
                            + "</NewEnabled><NewPortMappingDescription>" + Soap.escape(e.description())
                            + "</NewPortMappingDescription><NewLeaseDuration>" + e.lease() + "</NewLeaseDuration>");
                }
            }
            case "GetGenericPortMappingEntry" -> {
                int i = Integer.parseInt(a.getOrDefault("NewPortMappingIndex", "0"));
                List<FakeIgd.Entry> all;
                synchronized (igd.table) {
                    all = new ArrayList<>(igd.table.values());
                }
                if (i >= all.size()) {
                    fault(out, 713, "SpecifiedArrayIndexInvalid");
                } else {
                    FakeIgd.Entry e = all.get(i);
                    ok(out, action, "<NewRemoteHost></NewRemoteHost><NewExternalPort>" + e.externalPort()
                            + "</NewExternalPort><NewProtocol>" + e.protocol() + "</NewProtocol><NewInternalPort>"
                            + e.internalPort() + "</NewInternalPort><NewInternalClient>" + e.client()
                            + "</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>"
                            + Soap.escape(e.description()) + "</NewPortMappingDescription><NewLeaseDuration>"
                            + e.lease() + "</NewLeaseDuration>");
                }
            }
            default -> fault(out, 401, "Invalid Action");
        }
    }

    private static String key(Map<String, String> a) {
        return a.get("NewExternalPort") + "/" + a.get("NewProtocol");
    }

    private void add(String action, Map<String, String> a, OutputStream out) throws IOException {
        if (action.equals("AddAnyPortMapping") && !igd.igd2) {
            fault(out, 401, "Invalid Action");
            return;
        }
        String proto = a.get("NewProtocol");
        if (!"TCP".equals(proto) && !"UDP".equals(proto)) {
            fault(out, 402, "Invalid Args");
            return;
        }
        long lease = Long.parseLong(a.get("NewLeaseDuration"));
        if (igd.only725Permanent && lease != 0) {
            fault(out, 725, "OnlyPermanentLeasesSupported");
            return;
        }
        if (igd.invalidArgsOnLease && lease != 0 || igd.leaseMax > 0 && lease > igd.leaseMax) {
            fault(out, 402, "Invalid Args");
            return;
        }
        int ext = Integer.parseInt(a.get("NewExternalPort"));
        int internal = Integer.parseInt(a.get("NewInternalPort"));
        if (igd.samePortRequired && ext != internal) {
            fault(out, 724, "SamePortValuesRequired");
            return;
        }
        String client = a.get("NewInternalClient");
        FakeIgd.Entry existing = igd.table.get(ext + "/" + proto);
        if (action.equals("AddAnyPortMapping")) {
            while (existing != null && !existing.client().equals(client)) {
                ext = ext >= 65535 ? 1024 : ext + 1;
                existing = igd.table.get(ext + "/" + proto);
            }
        } else if (existing != null) {
            if (!existing.client().equals(client) || igd.conflictOnReAdd) {
                fault(out, 718, "ConflictInMappingEntry");
                return;
            }
            if (igd.ignoreReAdd) {
                ok(out, action, "");
                return;
            }
        }
        igd.table.put(ext + "/" + proto, new FakeIgd.Entry(ext, proto, internal, client,
                a.getOrDefault("NewPortMappingDescription", ""), lease, true));
        ok(out, action, action.equals("AddAnyPortMapping") ? "<NewReservedPort>" + ext + "</NewReservedPort>" : "");
    }

    private void ok(OutputStream out, String action, String inner) throws IOException {
        okAs(out, igd.serviceType(), action, inner);
    }

    private void okAs(OutputStream out, String serviceType, String action, String inner) throws IOException {
        String body = "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:" + action + "Response "
                + "xmlns:u=\"" + serviceType + "\">" + inner + "</u:" + action + "Response></s:Body></s:Envelope>\r\n";
        FakeIgdHttp.respond(out, 200, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void fault(OutputStream out, int code, String desc) throws IOException {
        String body = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><s:Fault><faultcode>s:Client"
                + "</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError "
                + "xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>" + code + "</errorCode><errorDescription>"
                + desc + "</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>";
        FakeIgdHttp.respond(out, 500, body.getBytes(StandardCharsets.UTF_8));
    }

    private void pinhole(String action, String st, Map<String, String> a, OutputStream out) throws IOException {
        if (!st.equals(FakeIgdDocuments.FIREWALL)) {
            fault(out, 401, "Invalid Action");
            return;
        }
        switch (action) {
            case "AddPinhole" -> {
                long lease = Long.parseLong(a.get("LeaseTime"));
                if (lease < 1 || lease > 86400) {
                    fault(out, 402, "Invalid Args");
                    return;
                }
                int id = nextPinhole.getAndIncrement();
                igd.pinholes.put(id, new LinkedHashMap<>(a));
                okAs(out, FakeIgdDocuments.FIREWALL, action, "<UniqueID>" + id + "</UniqueID>");
            }
            case "UpdatePinhole" -> {
                Map<String, String> p = igd.pinholes.get(Integer.parseInt(a.get("UniqueID")));
                if (p == null) {
                    fault(out, 704, "NoSuchEntry");
                    return;
                }
                p.put("LeaseTime", a.get("NewLeaseTime"));
                okAs(out, FakeIgdDocuments.FIREWALL, action, "");
            }
            case "DeletePinhole" -> {
                if (igd.pinholes.remove(Integer.parseInt(a.get("UniqueID"))) == null) {
                    fault(out, 704, "NoSuchEntry");
                } else {
                    okAs(out, FakeIgdDocuments.FIREWALL, action, "");
                }
            }
            case "GetPinholePackets" -> {
                if (igd.pinholes.containsKey(Integer.parseInt(a.get("UniqueID")))) {
                    okAs(out, FakeIgdDocuments.FIREWALL, action, "<PinholePackets>0</PinholePackets>");
                } else {
                    fault(out, 704, "NoSuchEntry");
                }
            }
            case "GetFirewallStatus" -> okAs(out, FakeIgdDocuments.FIREWALL, action,
                    "<FirewallEnabled>1</FirewallEnabled><InboundPinholeAllowed>1</InboundPinholeAllowed>");
            default -> fault(out, 401, "Invalid Action");
        }
    }
}
