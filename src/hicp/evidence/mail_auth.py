"""Which DMARC policy covers each mail domain: its own record, or its organizational domain's.

A receiver that finds no _dmarc record for mail.example.org applies the record of the
organizational domain example.org: its `sp=` tag when present, else its `p=` (RFC 7489 6.6.3).
Without a public-suffix list the organizational domain is taken to be the highest imported
parent domain that publishes a DMARC record: the evidence only holds the organization's own
domains, so a parent it holds is one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

POLICIES = ("none", "quarantine", "reject")


def dmarc_tags(record: str | None) -> dict[str, str]:
    tags: dict[str, str] = {}
    for part in (record or "").split(";"):
        key, sep, value = part.partition("=")
        if sep:
            tags.setdefault(key.strip().casefold(), value.strip().casefold())
    return tags


@dataclass(frozen=True)
class Coverage:
    domain: str
    policy: str | None  # none, quarantine, reject; None when no valid policy applies
    source: str  # where the policy comes from, in words


def coverage(domains: dict[str, tuple[str | None, str | None]]) -> list[Coverage]:
    """For each domain (name -> (DMARC record, its p= policy)), the policy that applies."""
    result = []
    for name, (record, policy) in sorted(domains.items()):
        if record is not None or policy is not None:
            result.append(Coverage(name, policy, "its own DMARC record"))
            continue
        labels = name.split(".")
        parents = [".".join(labels[i:]) for i in range(len(labels) - 1, 0, -1)]
        parent = next((p for p in parents if domains.get(p, (None, None))[0]), None)
        if parent is None:
            result.append(Coverage(name, None, "no DMARC record, nor one on a parent domain"))
            continue
        tags = dmarc_tags(domains[parent][0])
        sub = tags.get("sp")
        if sub in POLICIES:
            result.append(Coverage(name, sub, f"sp={sub} of {parent}"))
        else:
            inherited = domains[parent][1]
            result.append(Coverage(name, inherited, f"p={inherited} of {parent} (no sp=)"))
    return result
