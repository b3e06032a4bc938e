package dev.openport.upnp;

import dev.openport.core.PortMappingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * The SOAP 1.1 codec of UPnP control (UPnP Device Architecture 1.1 §3.2): request envelopes out, response
 * arguments or UPnPError faults in. Pure, no I/O.
 */
final class Soap {
    /** The most arguments a response may carry: the largest UPnP IGD action answer has 8. */
    private static final int MAX_ARGUMENTS = 32;

    private Soap() {
    }

    /** A decoded answer: the out-arguments, or a UPnPError. */
    record Response(Map<String, String> values, int faultCode, String faultDescription) {
        Response {
            values = Map.copyOf(values);
            faultDescription = faultDescription == null ? "" : faultDescription;
        }

        boolean isFault() {
            return faultCode != 0;
        }

        /** An out-argument, or {@code null} when absent. */
        String get(String name) {
            return values.get(name);
        }
    }

    /** The SOAPAction header value (UDA 1.1 §3.2.1): the quoted {@code serviceType#action}. */
    static String soapAction(String serviceType, String action) {
        return "\"" + serviceType + "#" + action + "\"";
    }

    /** A request envelope; argument values are XML-escaped, names are ours. Order matters to some routers. */
    static byte[] request(String serviceType, String action, Map<String, String> args) {
        StringBuilder sb = new StringBuilder(512);
        sb.append("<?xml version=\"1.0\"?>\r\n")
                .append("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" ")
                .append("s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">")
                .append("<s:Body><u:").append(action).append(" xmlns:u=\"").append(escape(serviceType)).append("\">");
        for (Map.Entry<String, String> e : args.entrySet()) {
            sb.append('<').append(e.getKey()).append('>').append(escape(e.getValue()))
                    .append("</").append(e.getKey()).append('>');
        }
        sb.append("</u:").append(action).append("></s:Body></s:Envelope>\r\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Escapes text for element content and attribute values; drops characters XML 1.0 cannot carry. */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /**
     * Decodes an answer to {@code action}.
     *
     * @param status the HTTP status: 200 for success, 500 for a fault (UDA 1.1 §3.2.2)
     * @throws PortMappingException {@code PROTOCOL_ERROR} when the body is neither the action's response nor a
     *                              UPnPError
     */
    static Response parse(int status, byte[] body, String action) throws PortMappingException {
        if (body == null || body.length == 0) {
            throw new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR,
                    action + ": HTTP " + status + " with an empty body");
        }
        Element envelope = SafeXml.parse(body, action + " response");
        Element fault = SafeXml.find(envelope, "Fault");
        if (fault != null) {
            Element code = SafeXml.find(fault, "errorCode");
            String text = code == null ? null : code.getTextContent().trim();
            int n;
            try {
                n = text == null ? -1 : Integer.parseInt(text);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n <= 0) {
                throw new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR,
                        action + ": SOAP fault without a UPnP error code (HTTP " + status + ")");
            }
            Element desc = SafeXml.find(fault, "errorDescription");
            return new Response(Map.of(), n, desc == null ? "" : SafeXml.shorten(desc.getTextContent().trim()));
        }
        if (status != 200) {
            throw new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR,
                    action + ": HTTP " + status + " without a UPnPError");
        }
        Element bodyEl = SafeXml.find(envelope, "Body");
        if (bodyEl == null) {
            throw new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR, action + ": no SOAP Body");
        }
        Element response = null;
        for (Element e : SafeXml.children(bodyEl)) {
            String name = SafeXml.localName(e);
            if (name.equalsIgnoreCase(action + "Response")) {
                response = e;
                break;
            }
        }
        if (response == null) {
            throw new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR,
                    action + ": the answer is not a " + action + "Response");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Element arg : SafeXml.children(response)) {
            if (values.size() >= MAX_ARGUMENTS) {
                break;
            }
            values.putIfAbsent(SafeXml.localName(arg), arg.getTextContent().trim());
        }
        return new Response(values, 0, "");
    }
}
