package dev.openport.cli;

/**
 * Every command's options and help text, as data. Loaded on every run, so it holds only strings and small
 * records: no reflection, no lambdas, nothing from core (start-up time is the point, see docs/performance.md).
 */
final class Catalog {
    private Catalog() {
    }

    static final String PORT_SPEC = "<port>[/tcp|/udp|/both]";

    static final String ROOT_DESCRIPTION = "Opens ports on your router so the internet can reach a service on "
            + "this machine. Speaks PCP (RFC 6887), NAT-PMP (RFC 6886) and UPnP IGD, and uses whichever your "
            + "router answers.";

    static final String[] ROOT_EXAMPLES = {
        "openport map 25565|open TCP port 25565 for 2 hours",
        "openport map 25565/both --keep|TCP+UDP, renewed until Ctrl-C, then removed",
        "openport map any/udp --keep --on-change ./port.sh|the gateway picks the port",
        "openport list|what the router (or this tool) has mapped",
        "openport unmap 25565|remove it again",
        "openport discover|which protocols your router speaks",
        "openport check 25565/tcp|is the port really reachable? (double NAT, CGNAT)",
        "openport external-ip --json|the router's public address, for scripts",
        "openport echo-service|on a host outside: the service 'check --echo' proves through",
    };

    static final String[] ROOT_NOTES = {
        "Run 'openport help <command>' (or 'openport <command> --help') for the options of each command. "
                + "Shell completion: source <(openport completion bash), or zsh, or fish.",
    };

    static final Opt HELP = Opt.flag("--help", "-h", "Show this help and exit.");
    static final Opt VERSION = Opt.flag("--version", "-V", "Print the version and exit.");

    /** Options every command accepts, before or after the sub-command name. */
    static final Opt[] GLOBAL = {
        Opt.flag("--json", null, "Print one JSON document (stable field names; see the README). With "
                + "map --keep: one JSON object per line for each event."),
        Opt.flag("--verbose", "-v", "Log to stderr: -v debug, -vv trace and stack traces."),
        Opt.value("--timeout", null, "<duration>", "Deadline of each network step, e.g. 3s, 500ms (default: 3s)."),
        Opt.flag("--no-color", null, "No colours (also off when NO_COLOR is set or not on a terminal)."),
        Opt.value("--gateway", "-g", "<ip>", "The router to talk to (default: the system's default gateway)."),
        Opt.choice("--protocol", "-p", "auto|pcp|natpmp|upnp", "Use only this protocol (default: auto = PCP > "
                + "NAT-PMP > UPnP, whichever answers).", "auto", "pcp", "natpmp", "upnp"),
        Opt.value("--upnp-url", null, "<url>", "The router's UPnP description URL, if known: skips the SSDP "
                + "search."),
        Opt.flag("--no-cache", null, "Do not use the UPnP description URL remembered from an earlier run "
                + "(search again with SSDP)."),
        // test hooks: point the CLI at a fake gateway on loopback
        Opt.hiddenValue("--natpmp-port"),
        Opt.hiddenValue("--pcp-port"),
        Opt.hiddenValue("--ssdp-port"),
        Opt.hiddenFlag("--no-multicast"),
        Opt.hiddenValue("--state-file"),
    };

    static final CommandInfo MAP = new CommandInfo("map",
            "Open a port on the router (forward it to this machine).",
            new String[] {"Asks the router to forward a port from the internet to this machine (or to "
                    + "--internal-address) and prints where the outside can reach it. The mapping lasts for "
                    + "--lifetime; with --keep it is renewed until you press Ctrl-C, and then removed.",
                "'any' instead of a port lets the gateway choose it (VPN gateways do): the service must then "
                    + "listen on the port the output (or the --on-change hook) names."},
            PORT_SPEC + "...", "Port(s) on this machine to open; no suffix means TCP; 'any' lets the gateway "
                    + "choose.", true,
            new Opt[] {
                Opt.value("--external-port", "-e", "<port>", "The port the outside connects to (default: the "
                        + "same as the internal port). The router may choose another; the output says which."),
                Opt.value("--lifetime", "-l", "<duration>", "Lease to ask for: 2h, 30m, 1h30m, 3600 (= seconds); "
                        + "1s to 7d (default: 2h)."),
                Opt.value("--internal-address", "-i", "<ip>", "Forward to this LAN address instead of this "
                        + "machine's (routers often refuse)."),
                Opt.value("--description", "-d", "<text>", "Label shown in the router's table (UPnP), default: "
                        + "openport."),
                Opt.flag("--keep", "-k", "Stay in the foreground renewing the lease; Ctrl-C (or SIGTERM) removes "
                        + "the mappings."),
                Opt.value("--on-change", null, "<command>", "With --keep: run this shell command when a mapping "
                        + "is made and whenever its external address or port changes; OPENPORT_EVENT, "
                        + "OPENPORT_EXTERNAL_IP, OPENPORT_EXTERNAL_PORT, OPENPORT_INTERNAL_PORT, "
                        + "OPENPORT_TRANSPORT and OPENPORT_PROTOCOL say what happened."),
                Opt.value("--hook-timeout", null, "<duration>", "How long --on-change may run before it is "
                        + "stopped (default: 30s)."),
                Opt.value("--verify-interval", null, "<duration>", "With --keep: how often to check that the "
                        + "router still holds the mapping and re-add it if not (default: 30s; 0: never)."),
                Opt.value("--echo", null, "<host>:<port>", "With --keep: prove each mapping reachable from "
                        + "outside through this echo service (see 'openport help check') every --echo-interval; "
                        + "a failed proof is printed and the mapping repaired (delete + add). An IPv6 pinhole "
                        + "is proven through the service's IPv6 address ([v6]:port, or a name with AAAA); "
                        + "repeatable, e.g. one IPv4 and one [v6] address."),
                Opt.value("--echo-interval", null, "<duration>", "How often --echo proves the mappings "
                        + "(default: 60s; failed proofs in a row back off up to 10m)."),
                Opt.flag("--ipv4-only", "-4", "Only the IPv4 mapping (by default the IPv6 pinhole for the same "
                        + "port is opened too when this machine has IPv6)."),
                Opt.flag("--ipv6-only", "-6", "Only the IPv6 pinhole, on this machine's stable global IPv6 "
                        + "address."),
            },
            new String[] {
                "openport map 25565|TCP 25565 for 2 hours",
                "openport map 25565/both|TCP and UDP (also: 25565/tcp+udp)",
                "openport map 8080 9000/udp|several ports at once",
                "openport map 8080 --external-port 80|the outside connects to port 80",
                "openport map 25565 --keep|renew until Ctrl-C, then remove",
                "openport map 25565 --lifetime 30m|shorter lease (also 2h, 1h30m, 3600)",
                "openport map 27015/udp --protocol natpmp --gateway 192.168.1.1|",
                "openport map any/udp --keep -p natpmp -g 10.2.0.1 --on-change ./port.sh|",
                "openport map 25565 --keep --echo 198.51.100.4:7777|prove it from outside every minute",
            },
            new String[] {"A mapping made without --keep stays until its lease ends: remove it early with "
                    + "'openport unmap 25565' (or 'openport unmap --all-mine').",
                "With --echo the probe listens on the internal port for a moment each time; while your service "
                    + "already listens there, a TCP port is proven by the echo service's connection being "
                    + "accepted (your service sees one short connection), a UDP port cannot be proven."},
            true);

    static final CommandInfo UNMAP = new CommandInfo("unmap", "Remove port mappings.",
            new String[] {"Removes port mappings. Mappings this tool made are looked up in its state file, so "
                    + "each is deleted on the right gateway with the right protocol (and PCP nonce); others are "
                    + "deleted by port on the current gateway."},
            PORT_SPEC + "...", "Internal port(s) to unmap; no suffix means TCP.", false,
            new Opt[] {
                Opt.flag("--all-mine", null, "Remove every mapping openport recorded in its state file."),
            },
            new String[] {
                "openport unmap 25565|TCP 25565",
                "openport unmap 25565/both|TCP and UDP",
                "openport unmap --all-mine|everything openport made (see 'openport list')",
            },
            new String[] {"State file: $XDG_STATE_HOME/openport/mappings.json (default ~/.local/state/openport/)."},
            true);

    static final CommandInfo LIST = new CommandInfo("list",
            "Show port mappings (the router's table, or what openport made).",
            new String[] {"With UPnP the router's whole table is listed. NAT-PMP and PCP cannot list, so "
                    + "without UPnP the mappings openport made (its state file) are shown.",
                "IPv6 pinholes openport opened follow in a table of their own, each checked with the router where "
                    + "a question changes nothing (UPnP: held or missing); a PCP pinhole shows as recorded."},
            null, null, false, new Opt[0],
            new String[] {
                "openport list|",
                "openport list --json | jq '.mappings[] | .externalPort'|",
                "openport list --protocol natpmp|skip UPnP: show the state file",
            },
            new String[0], true);

    static final CommandInfo EXTERNAL_IP = new CommandInfo("external-ip",
            "Print the router's external (WAN) address.",
            new String[] {"Prints the router's external address. Warns when it is private or CGNAT: then "
                    + "another NAT sits in front of the router, and mappings on it alone are not reachable."},
            null, null, false, new Opt[0],
            new String[] {
                "openport external-ip|",
                "ip=$(openport external-ip) && echo \"players connect to $ip:25565\"|",
                "openport external-ip --json | jq -r .externalAddress|",
            },
            new String[0], true);

    static final CommandInfo DISCOVER = new CommandInfo("discover",
            "Show which protocols the router speaks, and how fast it answers.",
            new String[] {"Asks the gateway in every protocol at once (PCP, NAT-PMP, UPnP) and shows which "
                    + "answered, how long each took, and the external address. Changes nothing on the router."},
            null, null, false, new Opt[0],
            new String[] {
                "openport discover|",
                "openport discover --gateway 192.168.1.1 --timeout 5s|",
                "openport discover --json | jq '.gateways[0].protocols'|",
            },
            new String[0], true);

    static final CommandInfo CHECK = new CommandInfo("check",
            "Check whether the internet can really reach you (double NAT, CGNAT, public address).",
            new String[] {
                "Asks the router in every protocol (which answered, how fast, which external address), says "
                    + "whether that address is private or CGNAT (double NAT), and asks a DNS resolver which "
                    + "address the internet sees (a \"what is my IP\" name), to compare the two.",
                "With a port, also maps it for the check, reads the mapping back from the router (warns when the "
                    + "router dropped it), and removes it again. With --echo, an echo service outside that you "
                    + "control is asked to send a packet to the external address and port; only that proves "
                    + "reachability.",
                "Exit code 0 when nothing stands in the way as far as the checks can tell, 1 when something does "
                    + "(double NAT, CGNAT, the addresses disagree, the mapping was dropped, the echo did not "
                    + "arrive)."},
            "[" + PORT_SPEC + "]", "Also map this port for the check, read it back, and remove it again.", false,
            new Opt[] {
                Opt.value("--resolver", null, "<host>[:<port>]", "DNS server that answers \"what is my IP\" "
                        + "(repeatable; default: resolver1.opendns.com 208.67.222.222, then ns1.google.com "
                        + "216.239.32.10)."),
                Opt.value("--query-name", null, "<name>", "The name to ask --resolver for (default: "
                        + "myip.opendns.com)."),
                Opt.choice("--query-type", null, "A|AAAA|TXT", "The record that carries the answer (default: A).",
                        "A", "AAAA", "TXT"),
                Opt.flag("--no-public-check", null, "Do not ask any DNS resolver."),
                Opt.value("--echo", null, "<host>:<port>", "An echo service outside your network "
                        + "(docs/diagnostics.md) that sends a packet to the mapped port, to prove it is reachable. "
                        + "Needs a <port>. When it has an IPv6 address ([v6]:port, or a name with AAAA) and this "
                        + "machine has IPv6, the IPv6 pinhole for the port is opened and proven too. Repeatable "
                        + "(e.g. one IPv4 and one [v6] address)."),
            },
            new String[] {
                "openport check|",
                "openport check --resolver 192.0.2.53:5353|ask this DNS server (A myip.opendns.com)",
                "openport check 25565/tcp --echo 198.51.100.4:7777|",
                "openport check 25565/tcp --echo [2001:db8::4]:7777|prove the IPv6 pinhole",
                "openport check --json | jq -r .finding|",
            },
            new String[0], true);

    static final CommandInfo ECHO_SERVICE = new CommandInfo("echo-service",
            "Run the echo service that 'check --echo' and 'map --keep --echo' prove ports through.",
            new String[] {
                "Nothing inside your network can prove that the internet reaches a mapped port: something "
                    + "outside must try. Run this on a host OUTSIDE your network (a VPS, a friend's machine), "
                    + "open its TCP port in that host's firewall, then from home: openport check 25565 --echo "
                    + "HOST:7777. For each request it connects (TCP) or sends three datagrams (UDP) carrying a "
                    + "token to the address and port asked, and answers SENT or FAILED <why>.",
                "It only ever reaches whoever asks: the address asked must be the requester's own (IPv4), or in "
                    + "the requester's /64 (IPv6); anything else is refused ('FAILED not your address') and "
                    + "nothing is sent, so it cannot be used against others. Requests are bounded: one line of "
                    + "at most 256 bytes within 5 s, a 3 s connect, 32 at once ('FAILED busy'), 2 a second per "
                    + "address or IPv6 /64 after a burst of 6 ('FAILED rate limited').",
                "It runs until Ctrl-C or SIGTERM and prints one line per request (with --json: one JSON object "
                    + "per line). It talks to no router."},
            null, null, false,
            new Opt[] {
                Opt.value("--listen", null, "<address>:<port>", "Where to listen: 203.0.113.2:7777, "
                        + "[2001:db8::2]:7777, or :7777 for every address (default: :7777, every address of "
                        + "both families where the system has IPv6)."),
                Opt.flag("--json", null, "One JSON object per line: the listening address, then each request."),
                Opt.flag("--verbose", "-v", "Log to stderr: -v debug, -vv trace and stack traces."),
            },
            new String[] {
                "openport echo-service|listen on port 7777, every address",
                "openport echo-service --listen 203.0.113.2:7777|one address only",
                "openport echo-service --listen [::]:7777 --json|IPv6 (and IPv4), JSON lines",
            },
            new String[] {"As a systemd service: ExecStart=/path/to/openport echo-service; it needs no "
                    + "privileges (port 7777) and keeps no state."},
            false);

    static final CommandInfo COMPLETION = new CommandInfo("completion",
            "Print a shell completion script (bash, zsh or fish).",
            new String[] {"Prints a completion script for openport. The distribution archive also ships them "
                    + "under completions/."},
            "[bash|zsh|fish]", "The shell (default: bash).", false, new Opt[0],
            new String[] {
                "source <(openport completion bash)|this bash",
                "openport completion bash > ~/.local/share/bash-completion/completions/openport|",
                "openport completion zsh > ~/.zfunc/_openport|then: fpath+=~/.zfunc; compinit",
                "openport completion fish > ~/.config/fish/completions/openport.fish|",
            },
            new String[0], false);

    static final CommandInfo HELP_COMMAND = new CommandInfo("help", "Show the help of a command.",
            new String[] {"Shows the help of the named command, or the overview without one."},
            "[<command>]", "The command to explain.", false, new Opt[0],
            new String[] {"openport help map|"}, new String[0], false);

    /** In the order the overview lists them. */
    static final CommandInfo[] COMMANDS = {MAP, UNMAP, LIST, EXTERNAL_IP, DISCOVER, CHECK, ECHO_SERVICE,
        COMPLETION, HELP_COMMAND};

    static CommandInfo find(String name) {
        for (CommandInfo c : COMMANDS) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** Global option by long or short name, or {@code null}. */
    static Opt global(String word) {
        for (Opt o : GLOBAL) {
            if (o.is(word)) {
                return o;
            }
        }
        return null;
    }

    static final String[][] EXIT_CODES = {
        {"0", "success"},
        {"1", "the gateway refused or the mapping failed (port taken, not allowed, ...)"},
        {"2", "usage error (bad option or argument)"},
        {"3", "no gateway found, or none answered any protocol"},
        {"4", "the gateway stopped answering (timeout)"},
    };
}
