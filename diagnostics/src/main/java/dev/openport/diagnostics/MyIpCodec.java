package dev.openport.diagnostics;

import dev.openport.core.PortMappingException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The DNS "what is my IP" question and answer as bytes (dnsjava's message classes; no I/O). dnsjava stays
 * inside this class: no dnsjava type appears in core's public API.
 */
final class MyIpCodec {
    /** RFC 1035 §4.2.1 limits UDP messages to 512 bytes without EDNS; we accept up to this much, no more. */
    static final int MAX_ANSWER = 4096;

    private MyIpCodec() {
    }

    /** A recursion-desired query for {@code q}'s name and type, with a random id. */
    static Message query(PublicAddressQuery q) throws PortMappingException {
        try {
            Name name = Name.fromString(q.name().endsWith(".") ? q.name() : q.name() + ".");
            return Message.newQuery(Record.newRecord(name, type(q.type()), DClass.IN));
        } catch (TextParseException e) {
            throw new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR,
                    "invalid DNS name '" + q.name() + "': " + e.getMessage());
        }
    }

    /**
     * The address in an answer to {@code query}, or an exception saying why there is none. Hostile-input safe:
     * anything malformed is a {@code PROTOCOL_ERROR}, never an unchecked exception.
     *
     * @return {@code null} when {@code bytes} is not an answer to this query at all (another id): ignore it
     */
    static InetAddress answer(Message query, PublicAddressQuery q, byte[] bytes, int length)
            throws PortMappingException {
        Message m;
        try {
            byte[] exact = java.util.Arrays.copyOf(bytes, Math.min(length, MAX_ANSWER));
            m = new Message(exact);
        } catch (java.io.IOException | RuntimeException e) {
            throw error(q, "malformed DNS answer: " + e.getMessage());
        }
        if (m.getHeader().getID() != query.getHeader().getID() || !m.getHeader().getFlag(Flags.QR)) {
            return null;
        }
        Record question = m.getQuestion();
        if (question == null || !question.getName().equals(query.getQuestion().getName())
                || question.getType() != query.getQuestion().getType()) {
            throw error(q, "DNS answer for another question (" + question + ")");
        }
        if (m.getHeader().getFlag(Flags.TC)) {
            throw error(q, "truncated DNS answer");
        }
        if (m.getRcode() != Rcode.NOERROR) {
            throw error(q, "resolver answered " + Rcode.string(m.getRcode()) + " for " + q.name()
                    + " (does it offer a \"what is my IP\" name? ask it for the name it offers)");
        }
        List<Record> answers = m.getSection(Section.ANSWER);
        for (Record r : answers) {
            if (r instanceof ARecord a && q.type() == PublicAddressQuery.RecordType.A) {
                return a.getAddress();
            }
            if (r instanceof AAAARecord a && q.type() == PublicAddressQuery.RecordType.AAAA) {
                return a.getAddress();
            }
            if (r instanceof TXTRecord t && q.type() == PublicAddressQuery.RecordType.TXT) {
                for (Object s : t.getStrings()) {
                    try {
                        return Address.getByAddress(String.valueOf(s).trim()); // literal only, never a lookup
                    } catch (UnknownHostException e) {
                        // not an address (Google adds an "edns0-client-subnet ..." string): try the next
                    }
                }
            }
        }
        throw error(q, "DNS answer holds no " + q.type() + " address for " + q.name());
    }

    private static int type(PublicAddressQuery.RecordType t) {
        return switch (t) {
            case A -> Type.A;
            case AAAA -> Type.AAAA;
            case TXT -> Type.TXT;
        };
    }

    private static PortMappingException error(PublicAddressQuery q, String message) {
        return new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR,
                message + " (resolver " + q.resolverText() + ")");
    }
}
