//! The registry of diagnostic codes.
//!
//! Codes are sequential within documented ranges and never reused:
//! `E00xx` input and syntax, `E01xx` definitions and references, `E02xx`
//! values (names, labels, ports, addresses), `E03xx` controls and criteria,
//! `E04xx` flows and invariants, `E05xx` findings of the simulator (`ward
//! test`, `ward verify`); `W00xx` warnings. Every code has a long
//! explanation (`ward explain CODE`) and a UI test under `tests/ui/`.

use super::Severity;

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $severity:ident, $title:literal, $explanation:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* $name, )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            /// The code as written: `E0101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => stringify!($name),)* }
            }

            /// Whether the code is an error or a warning.
            pub fn severity(self) -> Severity {
                match self { $(Code::$name => Severity::$severity,)* }
            }

            /// A short title for the code.
            pub fn title(self) -> &'static str {
                match self { $(Code::$name => $title,)* }
            }

            /// The long explanation printed by `ward explain CODE`.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$name => $explanation,)* }
            }
        }
    };
}

impl Code {
    /// Looks a code up by its text, case-insensitively (`e0101` finds `E0101`).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

codes! {
    /// A syntax error.
    E0001 = Error, "syntax error",
"The text does not follow Ward's grammar. The message says what was expected
at the marked place and what was found instead.

    namespace shop {
      service web { pods app=web ports http }   # a port needs a number
    }

Fix the statement; the help line names what may come at that place. After a
syntax error Ward skips to the next top-level statement (`namespace`, `flow`,
`deny`, ...) and goes on, so one run reports every broken statement.";

    /// A file that is not UTF-8.
    E0002 = Error, "file is not valid UTF-8",
"Ward programs are UTF-8 text. The marked byte is not valid UTF-8: the file is
binary, or was saved in another encoding (Latin-1, UTF-16). Re-save it as
UTF-8.";

    /// A line break Ward does not read as one.
    E0003 = Error, "unsupported line break",
"Ward ends lines at `\\n`, `\\r\\n` and a lone `\\r`, as every editor does. Some
editors also start a new line at a form feed, a vertical tab, NEL (U+0085),
LINE SEPARATOR (U+2028) or PARAGRAPH SEPARATOR (U+2029); Ward does not, so
a statement shown on its own line after one of them could be read as part of
the comment before it:

    # reviewed<U+2028>deny shop.* -> payments.*

Such characters are refused wherever they stand. Replace each with a line end
(or delete it).";

    /// A control, bidirectional or invisible character.
    E0004 = Error, "control or invisible character",
"Ward copies strings into YAML annotations, the traceability matrix and
terminals. A control character (an escape sequence moves the cursor or
recolours a terminal), a bidirectional control (U+202A-U+202E,
U+2066-U+2069, which make text display in another order than it is read) or
an invisible character (zero-width space, joiner, a byte-order mark after the
start of the file) would hide or change what a reader is shown:

    flow shop.web -> payments.api because \"approved<U+202E>lanretni\"

Control and bidirectional characters are refused anywhere in a file (a
bidirectional override in a comment can make the code after it read
backwards); invisible characters are refused outside comments. Delete the
character; in a string write `\\n` for a newline and `\\t` for a tab.";

    /// Two definitions with one name.
    E0101 = Error, "duplicate definition",
"Two namespaces, two services of one namespace, two externals, two controls or
two ports of one service have the same name. Every reference must mean one
thing, so the second definition is rejected; the first is marked too.

    namespace shop { service web { pods app=web } }
    namespace shop { service api { pods app=api } }   # E0101

Merge the two definitions or rename one of them.";

    /// A reference to a namespace nobody declared.
    E0102 = Error, "unknown namespace",
"An endpoint names a namespace that no `namespace` block declares. Declare it
(with `unmanaged` when Ward must only reference it, like `kube-system`), or fix
the spelling: the help line suggests the closest declared name.";

    /// A reference to a service nobody declared.
    E0103 = Error, "unknown service",
"An endpoint `ns.svc` names a service that the namespace does not declare.
Declare the service in that namespace, or fix the spelling (the help line
suggests a close name), or use `ns.*` for every pod of the namespace.";

    /// A reference to an external nobody declared.
    E0104 = Error, "unknown external",
"A bare name in an endpoint refers to an `external` address set, and none has
that name. Declare it:

    external stripe = 54.187.174.169/32

or write the namespace and service as `ns.svc`.";

    /// A reference to a port the destination does not declare.
    E0105 = Error, "unknown port",
"`:name` picks a named port of the destination, and the destination declares no
port with that name. Use one of its declared ports (the help line lists them),
declare the port in the service's `ports`, or write a literal port such as
`:443/tcp`.";

    /// More than one `system` statement.
    E0106 = Error, "duplicate system name",
"A program names its system once. Every file of a directory is one program, so
keep a single `system \"...\"` statement.";

    /// A service that selects no pods.
    E0107 = Error, "service without a pod selector",
"A service must say which pods it is, with `pods` and at least one label
selector:

    service web { pods app=web  ports http 8080 }

Without one, its policy would select every pod of the namespace.";

    /// An endpoint form the language does not have.
    E0108 = Error, "unsupported endpoint",
"Endpoints are `ns.svc`, `ns.*` (every pod of a namespace), `*.*` (every pod of
every managed namespace) or the name of an `external`. `*.svc` and a lone `*`
are not endpoints: list the services, or use `*.*`.";

    /// A name that breaks Kubernetes' naming rules.
    E0201 = Error, "invalid Kubernetes name",
"Namespace and service names become Kubernetes object names and label values,
so they must be DNS-1123 labels: at most 63 characters, lowercase letters,
digits and `-`, starting and ending with a letter or digit. The message says
which rule the name breaks; the help line suggests a valid spelling.";

    /// A label key that breaks Kubernetes' rules.
    E0202 = Error, "invalid label key",
"A label key is an optional prefix and a name, `prefix/name`. The prefix is a
DNS subdomain (lowercase, at most 253 characters, dot-separated DNS labels);
the name is at most 63 characters of letters, digits, `-`, `_` and `.`,
starting and ending with a letter or digit. The message says which rule is
broken.";

    /// A label value that breaks Kubernetes' rules.
    E0203 = Error, "invalid label value",
"A label value is empty or at most 63 characters of letters, digits, `-`, `_`
and `.`, starting and ending with a letter or digit. The message says which
rule is broken.";

    /// A port name that breaks Kubernetes' rules.
    E0204 = Error, "invalid port name",
"Port names follow Kubernetes' rules for container port names (IANA service
names): at most 15 characters, lowercase letters, digits and `-`, at least one
letter, no `-` at either end and no `--`.";

    /// A port number out of range.
    E0205 = Error, "port out of range",
"Ports are numbers from 1 to 65535. Port 0 is not a port a connection can be
opened to, and numbers above 65535 do not exist.";

    /// A port range whose end is below its start.
    E0206 = Error, "inverted port range",
"A range `first-last` needs `first <= last`: `8000-8080`, not `8080-8000`.";

    /// A protocol Ward does not know.
    E0207 = Error, "unknown protocol",
"NetworkPolicy knows three protocols: `tcp` (the default), `udp` and `sctp`.";

    /// A CIDR that does not parse.
    E0208 = Error, "malformed CIDR",
"An address block is written as an IPv4 or IPv6 address, `/`, and a prefix
length: `10.0.0.0/8`, `2001:db8::/32`. A single host is `/32` (IPv4) or `/128`
(IPv6).";

    /// A CIDR with bits set past its prefix.
    E0209 = Error, "CIDR has host bits set",
"In `10.0.0.1/8` the bits after the first 8 are not zero, so the block is
ambiguous: did you mean the network `10.0.0.0/8` or the host `10.0.0.1/32`?
Kubernetes would silently take the network. Write the one you mean; the help
line shows the network form.";

    /// An `except` block outside its address block.
    E0210 = Error, "except outside its block",
"Every `except` block must lie strictly inside one of the set's blocks, or it
removes nothing (or a whole block: then remove the block). A hole belongs to
the whole set: it is carved from every block that holds it, and a block
inside a hole is left out, so `10.0.0.0/8, 10.1.0.0/16 except 10.1.2.0/24`
holds no address of 10.1.2.0/24. Fix the range or remove the `except`.";

    /// IPv4 and IPv6 in one set.
    E0211 = Error, "IPv4 and IPv6 mixed in one set",
"One `external` set holds one address family, so that its `except` blocks and
reviews stay unambiguous. Declare two externals, one per family.";

    /// A selector that can match no pod.
    E0212 = Error, "selector matches no pod",
"The terms of a `pods` selector contradict each other (`app=a, app=b`, or
`has k, !k`, or `k in (a), k notin (a)`), so it selects no pod and any flow
through it would be dead. Fix the terms.";

    /// `k in ()` or `k notin ()`.
    E0213 = Error, "empty value set",
"`k in ()` and `k notin ()` list no value. Kubernetes rejects an `In` or
`NotIn` requirement without values, and the two read as a contradiction
(`in ()`: no value matches) and as nothing at all (`notin ()`), so Ward
refuses both rather than guess.

    service web { pods app in (web, web-canary) }   # list the values
    service web { pods !canary }                    # the label is absent
    service web { pods has app }                    # the label is present";

    /// A flow that cites no control.
    E0301 = Error, "flow cites no control",
"Every flow must cite at least one control: an undocumented connection is a
compliance finding in a SOC 2 audit.

    flow shop.web -> payments.api:https
      controls CC6.1 because \"Checkout submits payment intents\"";

    /// A criterion id the catalog does not have.
    E0302 = Error, "unknown criterion",
"The id looks like a SOC 2 Trust Services Criterion (`CC6.1`, `A1.2`, `C1.1`,
`PI1.3`, `P4.1`) but the 2017 catalog has no such criterion. The help line
suggests the closest one; `ward explain` of a criterion is in the matrix.";

    /// A point-of-focus id where a criterion is expected.
    E0303 = Error, "point of focus cited as a criterion",
"Ids such as `CC6.1.5` number points of focus; tools assign them, the AICPA
does not, and auditors test criteria. Cite the parent criterion (`CC6.1`), and
keep the detail in `because` or in a custom `control`.";

    /// A control id that is neither a criterion nor a declared control.
    E0304 = Error, "unknown control",
"A cited id is neither a criterion of the catalog nor a control declared with

    control NET-01 \"Workload segmentation\" maps CC6.1, CC6.6

Declare the control or fix the spelling (the help line suggests a close id).";

    /// A custom control that maps to nothing.
    E0305 = Error, "control maps to no criterion",
"A team's own control must say which criteria it implements with `maps`;
otherwise the flows citing it trace to nothing an auditor tests.";

    /// A custom control mapped to another custom control.
    E0306 = Error, "control maps to a control",
"`maps` lists criteria of the catalog, not other custom controls, so that every
trace ends at a criterion in one step. List the criteria that the other
control maps to.";

    /// An id qualified with a framework Ward has no catalog for.
    E0307 = Error, "unknown framework",
"An id of the form `framework:ID` names a catalog. Ward has the SOC 2 catalog
(`soc2:CC6.6`). Cite other frameworks through a custom control whose title
names them, mapped to SOC 2 criteria.";

    /// A destination without ports used without a port.
    E0401 = Error, "destination declares no ports",
"A flow without `:port` allows every declared port of its destination, and this
destination declares none (an external, or a service without `ports`). Say
which port the flow needs (`:443/tcp`), declare ports on the service, or write
`:*` for every port (which draws a least-privilege warning).";

    /// A flow that a `deny` invariant forbids.
    E0402 = Error, "flow violates a deny invariant",
"A `deny A -> B[:port]` says that no flow may ever open any of it. This flow
would allow pods, addresses and ports that the `deny` covers; the notes name
the overlap. Remove or narrow the flow, or, after a review, the invariant.";

    /// A flow that no policy could enforce.
    E0403 = Error, "flow cannot be enforced",
"Ward enforces a flow with policies in a managed namespace: egress at the
source, ingress at the destination. When neither end is a managed namespace
(both unmanaged, or external to external) nothing would be generated, so the
flow would document a connection that Ward does not control.";

    /// A named port on an external.
    E0404 = Error, "external has no named ports",
"External address sets declare no ports, so `:name` cannot be resolved. Write a
literal port (`:443/tcp`) or a range (`:8000-8080/tcp`).";

    /// An object over the API server's limits.
    E0405 = Error, "object too large for Kubernetes",
"Ward annotates every rule of a policy with the flow it implements, its
controls and its source line. The API server rejects an object whose
annotations total more than 256 KiB (262,144 bytes, keys and values), so a
service with thousands of flows into or out of it would get a policy that
`kubectl apply` refuses, and the flows would stay blocked.

Ward measures every policy's annotations exactly as it would write them and
reports the service (or the namespace, for `ns.*` flows) whose policy is too
large. Split the service into services with narrower pod selectors (each gets
its own policy), or write flows that share a destination as fewer flows from
wider sources: `ns.*`, or one external with several address blocks.";

    /// A connection the policies allow but no flow declares.
    E0501 = Error, "connection allowed beyond the declared flows",
"The simulator found a connection that the policies allow but that no flow
declares: the boundary is wider than the program says, which is a security
defect. `ward test` reports it for Ward's own policies (a bug in Ward; please
report it), `ward verify` for a cluster's export (a policy that Ward did not
write, an edited policy, or pods outside what the program describes). The
notes say which policy and rule let it through on each side.";

    /// A declared connection that the policies block.
    E0502 = Error, "declared flow blocked",
"A flow declares a connection, but the simulated policies block it: the
application will fail where the program says it works. For a cluster export,
Ward's policies may be missing or stale (`ward build --check`), or the pods'
labels or ports may not match the program. The notes say which side blocks
it.";

    /// A connection a `deny` invariant forbids, allowed by the policies.
    E0503 = Error, "deny invariant broken",
"The policies allow a connection that a `deny` invariant forbids. The checker
guarantees that no flow opens such a connection, so the policy that allows it
came from elsewhere: another policy in the cluster, or a hand edit. Use
`ward explain` to find the rule.";

    /// A Ward policy the cluster does not have.
    E0504 = Error, "Ward policy missing from the cluster",
"The program builds this policy, but the cluster export has no NetworkPolicy
with its namespace and name. The build was not applied, or someone deleted the
policy. Apply the build (`kubectl apply -k DIR`, or let GitOps sync it).";

    /// A Ward policy whose spec differs from the build.
    E0505 = Error, "Ward policy changed in the cluster",
"The cluster's policy has the name of one Ward builds, but a different spec:
it was edited by hand, or the cluster runs an older build. The note lists the
fields that differ. Change policies through the program and re-apply.";

    /// A policy labelled as Ward's that the program does not build.
    E0506 = Error, "unexpected Ward policy in the cluster",
"A NetworkPolicy carries `app.kubernetes.io/managed-by: ward`, but the program
builds no policy with its namespace and name: a leftover from an older build
that pruning did not remove, or a policy copied by hand. Delete it.";

    /// A flow without justification.
    W0001 = Warning, "flow without justification",
"`because \"...\"` is the justification the auditor reads in the traceability
matrix. A flow without one leaves them to guess why the connection exists.";

    /// A flow to every port.
    W0002 = Warning, "flow to every port",
"`:*` allows every port of the destination, which is rarely least privilege.
Name the ports the flow needs when you can.";

    /// Egress to the whole address space, or to where pods usually live.
    W0003 = Warning, "egress to any address",
"A flow to an external whose addresses (after its `except` holes) still
include the whole address space, or part of the ranges where clusters put pod
and service addresses (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16,
100.64.0.0/10, fc00::/7), may reach more than outside hosts: an `ipBlock`
matches pods whose address is inside it too, and Ward cannot carve out the
cluster's networks without being told them (decision 0003). The note names the
ranges the external still reaches.

    external internet = 0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12,
                                         192.168.0.0/16, 100.64.0.0/10

Except the ranges, or name narrower destinations. A block that lies inside a
private range (a VPN peer at 10.20.0.0/24) cannot be excepted: check that it is
outside the cluster's pod and service networks; the warning stays until those
can be declared.";

    /// Two services whose selectors can pick one pod.
    W0004 = Warning, "services overlap",
"Two services of one namespace have selectors that can both match one pod, so
such a pod gets the union of both services' flows. Make the selectors
disjoint (add a distinguishing label) unless the overlap is intended.";

    /// A definition nothing uses.
    W0005 = Warning, "unused definition",
"A service, external or control that no flow or `deny` refers to is dead
weight in an audited program: remove it, or add the flow it was meant for.";

    /// The same flow twice.
    W0006 = Warning, "duplicate flow",
"Two flows have the same source, destination and ports. The second adds
nothing; merge their controls and justifications into one flow.";

    /// Default-deny policies that cite nothing.
    W0007 = Warning, "no baseline controls",
"The default-deny policy of every managed namespace implements the boundary
itself; `baseline controls CC6.1, CC6.6` says which criteria it serves so the
traceability matrix can cite it. Without it, the default-deny policies trace
to nothing.";

    /// A flow that cites no network-relevant criterion.
    W0008 = Warning, "no network-relevant criterion",
"None of the criteria this flow cites (directly or through controls) is about
network controls. Flows usually serve CC6.1 (segmentation), CC6.6 (boundary
protection) or CC6.7 (restricted transmission); check that the citation is
the one you mean.";

    /// A service whose selector matches no pod of a cluster.
    W0009 = Warning, "service matches no pod in the cluster",
"`ward verify` found no pod in the service's namespace whose labels its
selector matches. Its flows protect nothing, and the pods it was meant for
(if they exist) are governed by other rules. Fix the selector or the labels.";

    /// Pods of a managed namespace that no service describes.
    W0010 = Warning, "pods that no service describes",
"Pods of a managed namespace match no service's selector, so they get only
the namespace's default deny and its `ns.*`/`*.*` flows. Declare a service
for them if they should take part in flows.";

    /// A flow to a literal port its destination service does not declare.
    W0011 = Warning, "port the destination does not declare",
"The flow names a literal port (`payments.api:9443`) that the destination
service declares under no port. The policy opens it all the same, but nothing
in the program says the service listens there: a typo, a stale port, or a
port the service should declare. Declare the port on the service and name it
(`payments.api:https`), or correct the number.";

    /// A program that declares no namespace.
    W0012 = Warning, "empty program",
"The program declares no namespace, so `ward build` writes no policy and the
traceability matrix traces nothing. Most often the wrong path was given, or
the files hold only comments. Declare the namespaces and services the program
governs: `namespace shop { service web { pods app=web  ports http 8080 } }`.";
}
