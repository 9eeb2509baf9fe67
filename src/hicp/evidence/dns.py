"""E-mail authentication import: SPF, DKIM and DMARC per mail domain from a zone file or dig output.

Nothing is looked up: the records come from the file. Two shapes are read:
- a BIND zone file (RFC 1035 master format): $ORIGIN (else the SOA owner is the origin),
  "@", relative and absolute names, a blank owner repeating the previous one, TTL and class
  in either order, parentheses continuing a record over lines, ";" comments, TXT data as
  several quoted strings joined without spaces (RFC 7208 3.3), with \\" and \\DDD escapes.
  $INCLUDE is refused (hicp reads only the file it is given); $TTL and $GENERATE are ignored.
- dig output, one or several runs in one file (``dig TXT example.org``, ``dig TXT
  _dmarc.example.org``, ``dig TXT sel._domainkey.example.org``): only the ANSWER SECTION lines
  count. Output of ``dig +noall +answer`` (bare record lines) is read as a zone file.

Records -> EmailDomain (one per mail domain, sorted by name):
- a mail domain is a name with an SPF record, a DMARC record, a DKIM selector or an MX record
  (an MX without SPF or DMARC is the gap an assessment most needs to see);
- spf: the TXT record starting "v=spf1"; spf_all: the qualifier of its last ``all`` term
  (-all, ~all, ?all; a bare "all" is +all), None when it has none (e.g. only redirect=);
- dkim_selectors: the labels before "._domainkey.<domain>" of TXT records holding v=DKIM1 or
  a p= tag, or of CNAMEs there (Microsoft 365 delegates DKIM keys that way). A key with an
  empty p= is revoked (RFC 6376 3.6.1) and not counted. A TXT record reached through such a
  CNAME belongs to the CNAME's domain, not the provider's;
- dmarc: the "v=DMARC1" TXT record at _dmarc.<domain>; dmarc_policy: its p= tag (none,
  quarantine, reject), None when p= is missing or invalid.
Two different SPF (or DMARC) records for one name are an error naming both lines: receivers
treat that as a failure (RFC 7208 4.5, RFC 7489 6.6.3), so neither can stand for the domain.
Memory holds only the mail-related records, since a domain's records may be anywhere in the
file. A DNS export carries no severities.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hicp.errors import ImportError_
from hicp.evidence.base import Progress, at_least_one
from hicp.evidence.models import DmarcPolicy, EmailDomain
from hicp.evidence.tabular import NOT_UTF8, PROGRESS_EVERY, failure

_MAX_LINE = 64 * 1024  # a DKIM key line is under 1 KB; longer means this is no zone file
_CLASSES = frozenset({"IN", "CH", "HS", "CS"})
_TTL = re.compile(r"\d+[smhdw]?(?:\d+[smhdw])*", re.IGNORECASE)
_TYPE = re.compile(r"[A-Z][A-Z0-9-]*")
_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<comment>;.*)|(?P<open>\()|(?P<close>\))"
    r'|"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<unterminated>".*)|(?P<bare>(?:[^\s;()"\\]|\\.?)+)'
)
_ESCAPE = re.compile(r"\\(\d{3}|.)")
_SPF = re.compile(r"v=spf1(?:\s|$)", re.IGNORECASE)
_ALL = re.compile(r"([-~?+]?)all", re.IGNORECASE)
_DIG_MARK = re.compile(r"^;\s*<<>>\s*DiG|^;; ANSWER SECTION:", re.MULTILINE)
_ZONE_MARK = re.compile(
    r"^\$(?:ORIGIN|TTL)\s|^\S*[ \t]+(?:\d+\w*[ \t]+)?(?:IN[ \t]+)?(?:\d+\w*[ \t]+)?SOA[ \t]",
    re.MULTILINE | re.IGNORECASE,
)
_ANSWER_LINE = re.compile(r"\S+\.\s+\d+\s+IN\s+[A-Z][A-Z0-9]*\s", re.IGNORECASE)


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool


@dataclass
class _Domain:
    spf: tuple[str, int] | None = None  # record, line
    dmarc: tuple[str, int] | None = None
    selectors: set[str] = field(default_factory=set)


class DnsImporter:
    name = "dns"
    description = "DNS zone file or dig output: SPF, DKIM and DMARC per mail domain"

    def sniff(self, head: bytes, path: Path) -> bool:
        if b"\x00" in head:
            return False
        text = head.decode("utf-8", errors="replace")
        if _DIG_MARK.search(text) or _ZONE_MARK.search(text):
            return True
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith(";"):
                return bool(_ANSWER_LINE.match(line))  # dig +noall +answer
        return False

    @at_least_one
    def read(self, path: Path, progress: Progress | None = None) -> Iterator[EmailDomain]:
        parser = _Parser(path)
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise failure(path, f"cannot read ({exc.strerror})") from None
        with handle:
            number = 0
            raw = b""
            while line := handle.readline(_MAX_LINE):
                raw = line
                number += 1
                if len(raw) == _MAX_LINE and not raw.endswith(b"\n"):
                    raise failure(path, "a line longer than 64 KB: not a zone file", number)
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise failure(path, NOT_UTF8, number) from None
                parser.feed(number, text.removeprefix("\ufeff") if number == 1 else text)
                if progress is not None and number % PROGRESS_EVERY == 0:
                    progress(handle.tell())
            if progress is not None:
                progress(handle.tell())
        if parser.depth:
            raise parser.error("a '(' is never closed (is the file complete?)", parser.start)
        if raw and not raw.endswith(b"\n"):
            # A cut file ends mid-line, and a cut record can still parse ("mail IN MX 10 ma").
            raise failure(
                path,
                "the file ends in the middle of this line, so it may be truncated; if it is "
                "complete, end it with a line break",
                number,
            )
        yield from parser.domains()


class _Parser:
    """Zone-file and dig-answer lines in, mail-related records kept, EmailDomains out."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.origin: str | None = None
        self.owner: str | None = None  # the last owner name, for lines that omit it
        self.dig = False  # seen a dig marker: only ANSWER SECTION lines count
        self.answer = False
        self.depth = 0  # open parentheses
        self.start = 0  # first line of the record being read
        self.indented = False
        self.tokens: list[_Token] = []
        self.txt: dict[tuple[str, str], int] = {}  # (owner, text) -> line
        self.cnames: dict[str, str] = {}  # owner -> target, under _domainkey or _dmarc
        self.mx: set[str] = set()
        self.run: int | None = None  # line of the dig run not yet closed by ";; MSG SIZE"
        self.footers = 0  # closed runs: dig +nostats writes none, so only then is one missed

    def error(self, message: str, line: int) -> ImportError_:
        return failure(self.path, message, line)

    def feed(self, number: int, text: str) -> None:
        text = text.rstrip("\r\n")
        if self.depth == 0:
            stripped = text.strip()
            if stripped.startswith("; <<>> DiG") or stripped.startswith(";; ANSWER SECTION"):
                self.dig = True
            if stripped.startswith("; <<>> DiG"):
                self.run = number
            elif stripped.startswith(";; MSG SIZE"):
                self.footers += 1
                self.run = None
            if self.dig:
                if stripped.startswith(";; ANSWER SECTION"):
                    self.answer = True
                elif not stripped or stripped.startswith(";;"):
                    self.answer = False
                if not self.answer:
                    return
            self.start, self.indented, self.tokens = number, text[:1] in (" ", "\t"), []
        self.tokenise(number, text)
        if self.depth == 0 and self.tokens:
            self.record(self.start, self.indented, self.tokens)

    def tokenise(self, number: int, text: str) -> None:
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind == "comment":
                break
            if kind == "open":
                self.depth += 1
            elif kind == "close":
                self.depth -= 1
                if self.depth < 0:
                    raise self.error("a ')' without a '(' before it", number)
            elif kind == "unterminated":
                raise self.error("a quoted string is never closed (is the file complete?)", number)
            elif kind == "quoted":
                self.tokens.append(_Token(_unescape(match["quoted"]), quoted=True))
            elif kind == "bare":
                self.tokens.append(_Token(match["bare"], quoted=False))

    def name(self, text: str, line: int) -> str:
        """An owner or target name as absolute, lower-case and without the final dot."""
        if text.endswith("."):
            return text[:-1].lower()
        if self.origin is None:
            raise self.error(
                f"the name {text!r} is relative but no $ORIGIN comes before it: "
                "add a line '$ORIGIN example.org.' (your domain) at the top",
                line,
            )
        if text == "@":
            return self.origin
        return f"{text}.{self.origin}".lower() if self.origin else text.lower()

    def record(self, line: int, indented: bool, tokens: list[_Token]) -> None:
        first = tokens[0].text
        if not indented and tokens[0].quoted:
            raise self.error(
                "a record must start with its name (dig +short output has none: "
                "run dig without +short)",
                line,
            )
        if not indented and first.startswith("$"):
            self.directive(line, first.upper(), tokens[1:])
            return
        if indented:
            if self.owner is None:
                raise self.error("a record without a name comes before any named one", line)
            owner, rest = self.owner, tokens
        else:
            # The SOA owner is the zone apex: the origin that a zone file without $ORIGIN
            # gets from the name server's configuration.
            soa = any(t.text.upper() == "SOA" for t in tokens[1:4])
            if self.origin is None and soa and first.endswith("."):
                self.origin = first[:-1].lower()
            owner, rest = self.name(first, line), tokens[1:]
        self.owner = owner
        index = 0
        while index < len(rest) and not rest[index].quoted:
            word = rest[index].text
            if not (_TTL.fullmatch(word) or word.upper() in _CLASSES):
                break
            index += 1
        if (
            index >= len(rest)
            or rest[index].quoted
            or not _TYPE.fullmatch(rest[index].text.upper())
        ):
            raise self.error("not a DNS record: expected a type such as TXT after the name", line)
        rtype, data = rest[index].text.upper(), rest[index + 1 :]
        labels = owner.split(".")
        mail_name = "_domainkey" in labels or labels[0] == "_dmarc"
        if rtype == "TXT":
            text = "".join(t.text for t in data)
            if mail_name or _SPF.match(text):
                self.txt.setdefault((owner, text), line)
        elif rtype == "CNAME" and mail_name and data:
            self.cnames[owner] = self.name(data[0].text, line)
        elif rtype == "MX":
            self.mx.add(owner)

    def directive(self, line: int, name: str, args: list[_Token]) -> None:
        if name == "$ORIGIN":
            if not args:
                raise self.error("$ORIGIN without a domain", line)
            origin = args[0].text
            self.origin = (
                origin.rstrip(".").lower() if origin.endswith(".") else self.name(origin, line)
            )
        elif name == "$INCLUDE":
            raise self.error("$INCLUDE is not followed: paste the included file in its place", line)

    def domains(self) -> Iterator[EmailDomain]:
        if self.footers and self.run is not None:
            raise self.error(
                "this dig run has no closing ';; MSG SIZE' line, unlike the runs before it: "
                "the file may be truncated (run dig again and save its whole output)",
                self.run,
            )
        found: dict[str, _Domain] = {name: _Domain() for name in self.mx}
        aliases: dict[str, list[str]] = {}
        for owner, target in self.cnames.items():
            aliases.setdefault(target, []).append(owner)
        with_txt = {owner for owner, _ in self.txt}
        for owner, target in self.cnames.items():
            # A delegated key counts unless its own record is in the file to say more.
            labels = owner.split(".")
            if "_domainkey" in labels and target not in with_txt:
                self.selector(owner, found)
        for (owner, text), line in self.txt.items():
            for name in aliases.get(owner, [owner]):
                self.classify(name, text, line, found)
        for domain in sorted(found):
            if not domain or domain.startswith("*"):
                continue  # wildcards and the root are no mail domain of their own
            entry = found[domain]
            spf = entry.spf[0] if entry.spf else None
            dmarc = entry.dmarc[0] if entry.dmarc else None
            yield EmailDomain(
                domain=domain,
                spf=spf,
                spf_all=_spf_all(spf) if spf else None,
                dkim_selectors=tuple(sorted(entry.selectors)),
                dmarc=dmarc,
                dmarc_policy=_dmarc_policy(dmarc) if dmarc else None,
            )

    def selector(self, name: str, found: dict[str, _Domain]) -> None:
        labels = name.split(".")
        at = labels.index("_domainkey")
        if at > 0 and at < len(labels) - 1:
            domain = ".".join(labels[at + 1 :])
            found.setdefault(domain, _Domain()).selectors.add(".".join(labels[:at]))

    def classify(self, name: str, text: str, line: int, found: dict[str, _Domain]) -> None:
        labels = name.split(".")
        tags = _tags(text)
        if labels[0] == "_dmarc":
            if text.casefold().startswith("v=dmarc1") and len(labels) > 1:
                entry = found.setdefault(".".join(labels[1:]), _Domain())
                entry.dmarc = self.single("DMARC", name, entry.dmarc, (text, line))
        elif "_domainkey" in labels:
            is_key = tags.get("v", "").casefold() == "dkim1" or "p" in tags
            if is_key and tags.get("p") != "":
                self.selector(name, found)
        elif _SPF.match(text):
            entry = found.setdefault(name, _Domain())
            entry.spf = self.single("SPF", name, entry.spf, (text, line))

    def single(
        self, kind: str, name: str, old: tuple[str, int] | None, new: tuple[str, int]
    ) -> tuple[str, int]:
        if old is None or old[0] == new[0]:
            return old or new
        first, second = sorted((old[1], new[1]))
        raise self.error(
            f"{name} has two {kind} records (lines {first} and {second}); mail receivers "
            f"then treat its {kind} as broken: publish one",
            second,
        )


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m[1])) if m[1].isdigit() else m[1], text)


def _tags(record: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for part in record.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            tags.setdefault(key.strip().casefold(), value.strip())
    return tags


def _spf_all(record: str) -> str | None:
    for term in reversed(record.split()):
        if match := _ALL.fullmatch(term):
            return f"{match[1] or '+'}all"
    return None


def _dmarc_policy(record: str) -> DmarcPolicy | None:
    policy = _tags(record).get("p", "").casefold()
    return DmarcPolicy(policy) if policy in {p.value for p in DmarcPolicy} else None


IMPORTER = DnsImporter()
