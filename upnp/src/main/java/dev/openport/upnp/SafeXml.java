package dev.openport.upnp;

import dev.openport.core.PortMappingException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * A DOM parser for XML from the LAN, which is not trusted (docs/security.md): no DOCTYPE at all (so no entities, no
 * external DTD, no billion laughs), no XInclude, secure processing on. Elements are matched by local name so any
 * namespace prefix, a missing namespace, or the TR-064 {@code dslforum} namespace all work.
 */
final class SafeXml {
    /** The deepest element nesting accepted. */
    static final int MAX_DEPTH = 64;
    private static final DocumentBuilderFactory FACTORY = factory();

    private SafeXml() {
    }

    private static DocumentBuilderFactory factory() {
        // the JDK's own parser: no ServiceLoader scan at startup, and the hardening below is known to apply
        DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
        f.setNamespaceAware(true);
        f.setValidating(false);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        f.setIgnoringComments(true);
        try {
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            // the one setting that matters: a DOCTYPE is a fatal error, so no entity can ever be declared
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser cannot be hardened", e);
        }
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        try {
            // descriptions nest about 8 deep; a deep document is an attack on our recursive walks
            f.setAttribute("jdk.xml.maxElementDepth", String.valueOf(MAX_DEPTH));
        } catch (IllegalArgumentException e) {
            // not the JDK's own parser: the walks below bound their recursion themselves
        }
        return f;
    }

    /** A parser error handler that stays silent: the default one prints "[Fatal Error]" to stderr. */
    private static final ErrorHandler SILENT = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

    /**
     * Parses {@code bytes} after removing what real routers get wrong: a UTF-8 BOM, whitespace before the XML
     * declaration, and a second XML declaration (AmpliFi/miniupnpd sends two).
     *
     * @throws PortMappingException {@code PROTOCOL_ERROR} for anything that is not well-formed XML or has a DOCTYPE
     */
    static Element parse(byte[] bytes, String what) throws PortMappingException {
        byte[] clean = clean(bytes);
        try {
            DocumentBuilder b;
            synchronized (FACTORY) {
                b = FACTORY.newDocumentBuilder();
            }
            b.setErrorHandler(SILENT);
            b.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entity refused: " + systemId);
            });
            Document d = b.parse(new ByteArrayInputStream(clean));
            Element root = d.getDocumentElement();
            if (root == null) {
                throw new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR, what + ": empty document");
            }
            return root;
        } catch (SAXException | IOException | ParserConfigurationException | RuntimeException e) {
            throw new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR,
                    what + " is not acceptable XML: " + shorten(e.getMessage()), e);
        }
    }

    static byte[] clean(byte[] in) {
        int i = 0;
        if (in.length >= 3 && (in[0] & 0xff) == 0xEF && (in[1] & 0xff) == 0xBB && (in[2] & 0xff) == 0xBF) {
            i = 3;
        }
        i = skipSpace(in, i);
        int declEnd = -1;
        if (startsWith(in, i, "<?xml") && in.length > i + 5 && isSpace(in[i + 5])) {
            declEnd = indexOf(in, i, "?>");
            if (declEnd < 0) {
                return slice(in, i, in.length);
            }
            declEnd += 2;
        }
        if (declEnd < 0) {
            return i == 0 ? in : slice(in, i, in.length);
        }
        // drop any further XML declarations right after the first one
        int j = skipSpace(in, declEnd);
        int dropFrom = -1;
        int dropTo = -1;
        while (startsWith(in, j, "<?xml") && in.length > j + 5 && isSpace(in[j + 5])) {
            int end = indexOf(in, j, "?>");
            if (end < 0) {
                break;
            }
            if (dropFrom < 0) {
                dropFrom = declEnd;
            }
            dropTo = end + 2;
            j = skipSpace(in, dropTo);
        }
        byte[] head = slice(in, i, declEnd);
        if (dropFrom < 0) {
            return i == 0 ? in : slice(in, i, in.length);
        }
        byte[] out = new byte[head.length + (in.length - dropTo)];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(in, dropTo, out, head.length, in.length - dropTo);
        return out;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static int skipSpace(byte[] in, int i) {
        while (i < in.length && isSpace(in[i])) {
            i++;
        }
        return i;
    }

    private static boolean startsWith(byte[] in, int at, String s) {
        if (at + s.length() > in.length) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (in[at + k] != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] in, int from, String s) {
        for (int i = from; i + s.length() <= in.length; i++) {
            if (startsWith(in, i, s)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] slice(byte[] in, int from, int to) {
        byte[] out = new byte[to - from];
        System.arraycopy(in, from, out, 0, out.length);
        return out;
    }

    static String shorten(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    /** The local name of an element, whatever its prefix or namespace. */
    static String localName(Node n) {
        String l = n.getLocalName();
        if (l == null) {
            l = n.getNodeName();
            int colon = l.indexOf(':');
            if (colon >= 0) {
                l = l.substring(colon + 1);
            }
        }
        return l;
    }

    /** The direct child elements of {@code parent}. */
    static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e);
            }
        }
        return out;
    }

    /** The direct child elements named {@code name} (local name, case-sensitive as UPnP requires). */
    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Element e : children(parent)) {
            if (name.equals(localName(e))) {
                out.add(e);
            }
        }
        return out;
    }

    /** The first direct child named {@code name}, or {@code null}. */
    static Element child(Element parent, String name) {
        for (Element e : children(parent)) {
            if (name.equals(localName(e))) {
                return e;
            }
        }
        return null;
    }

    /** The trimmed text of the first direct child named {@code name}, or {@code null} when there is none. */
    static String childText(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    /** The first element named {@code name} anywhere below {@code root} (depth first), or {@code null}. */
    static Element find(Element root, String name) {
        return find(root, name, 0);
    }

    private static Element find(Element root, String name, int depth) {
        if (depth > MAX_DEPTH) {
            return null;
        }
        for (Element e : children(root)) {
            if (name.equals(localName(e))) {
                return e;
            }
            Element deeper = find(e, name, depth + 1);
            if (deeper != null) {
                return deeper;
            }
        }
        return null;
    }
}
